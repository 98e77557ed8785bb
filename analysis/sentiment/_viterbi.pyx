# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""SnowNLP's tagger (see :mod:`analysis.sentiment.decode`) in C: log_prob rows and Viterbi.

The numpy decoder in ``decode.py`` pays numpy's per-call cost at every character
position; here the same float additions and first-maximum comparisons run in a
plain loop, so the tags (and every score built on them) are bit for bit the same.
Each character's 64 ``log_prob`` values are gathered just before its Viterbi step,
so no per-character table is written out.
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc

cdef enum:
    S = 3  # the status s; an unseen character inherits from (s, s2)
    BOS_ID = 0  # as tables.BOS_ID
    UNSEEN_ID = 1  # as tables.UNSEEN_ID

cdef uint64_t HASH_MULTIPLIER = 0x9E3779B97F4A7C15  # as tables.HASH_MULTIPLIER


cdef struct Grams:
    # a character bigram or trigram table of build.py: hash slots, CSR entries
    const int *slots
    const int *index
    int bits
    Py_ssize_t width
    const int64_t *start
    const signed char *combo
    const double *val


cdef struct Model:
    const double *lu  # [char id, 64]: log P without bigram/trigram
    int64_t n_ids
    Grams bi
    Grams tri


def segment_tags(
    const double[:, ::1] lu,
    bi,
    tri,
    const int64_t[::1] ids,
    const int64_t[::1] starts,
    const int64_t[::1] lengths,
    signed char[::1] tags,
):
    """Best status (b, m, e, s = 0..3) of every character of runs laid end to end.

    ``ids`` are the characters' ids, ``starts`` and ``lengths`` the runs; ``bi`` and
    ``tri`` are (slots, index, hash shape, start, combo, value) of the bigram and
    trigram tables. Writes ``tags[i]``.
    """
    cdef Model model
    model.lu = &lu[0, 0]
    model.n_ids = lu.shape[0]
    _grams(&model.bi, bi)
    _grams(&model.tri, tri)
    cdef Py_ssize_t runs = starts.shape[0]
    cdef Py_ssize_t longest = 0
    cdef Py_ssize_t r
    for r in range(runs):
        if lengths[r] > longest:
            longest = lengths[r]
    cdef signed char *pointers = <signed char *> malloc(max(longest, 1) * 16)
    if pointers == NULL:
        raise MemoryError()
    try:
        with nogil:
            for r in range(runs):
                _decode_run(&model, &ids[0], starts[r], lengths[r], &tags[0], pointers)
    finally:
        free(pointers)


cdef void _grams(Grams *grams, table) except *:
    cdef const int[::1] slots = table[0], index = table[1]
    cdef const int64_t[::1] shape = table[2], start = table[3]
    cdef const signed char[::1] combo = table[4]
    cdef const double[::1] val = table[5]
    grams.slots = &slots[0]
    grams.index = &index[0]
    grams.bits = <int> shape[0]
    grams.width = shape[1]
    grams.start = &start[0]
    grams.combo = &combo[0] if combo.shape[0] else NULL
    grams.val = &val[0] if val.shape[0] else NULL


cdef inline Py_ssize_t _find(const Grams *grams, int64_t key) noexcept nogil:
    """The number stored for ``key`` (see build.hash_table), or -1."""
    cdef uint64_t home = (<uint64_t> key * HASH_MULTIPLIER) >> (64 - grams.bits)
    cdef Py_ssize_t j
    for j in range(grams.width):
        if grams.slots[home + j] == key:
            return grams.index[home + j]
    return -1


cdef inline void _log_probs(
    const Model *model, int64_t id_, int64_t prev1, int64_t prev2, double *row
) noexcept nogil:
    """``decode.log_probs`` of one character: its base row, overwritten by its
    bigram's entries (for every s1) and then its trigram's."""
    cdef Py_ssize_t k, e, s1, bigram, trigram
    for k in range(64):
        row[k] = model.lu[id_ * 64 + k]
    bigram = _find(&model.bi, prev1 * model.n_ids + id_)
    if bigram < 0:
        return
    for e in range(model.bi.start[bigram], model.bi.start[bigram + 1]):
        for s1 in range(4):
            row[s1 * 16 + model.bi.combo[e]] = model.bi.val[e]
    trigram = _find(&model.tri, bigram * model.n_ids + prev2)
    if trigram < 0:
        return
    for e in range(model.tri.start[trigram], model.tri.start[trigram + 1]):
        row[model.tri.combo[e]] = model.tri.val[e]


cdef void _decode_run(
    const Model *model,
    const int64_t *ids,
    Py_ssize_t start,
    Py_ssize_t length,
    signed char *tags,
    signed char *pointers,
) noexcept nogil:
    cdef double row[64]  # log_prob of the current character, s1 * 16 + s2 * 4 + s3
    cdef double first[4]
    cdef double prev[16]  # score of state (s1, s2) after the previous character
    cdef double score[16]  # score of state (s2, s3) after this one
    cdef double best, candidate
    cdef Py_ssize_t t, pos, s1, s2, s3, k
    cdef int state, pointer, top

    _log_probs(model, ids[start], BOS_ID, BOS_ID, row)
    for k in range(4):
        first[k] = 0.0 if ids[start] == UNSEEN_ID else 0.0 + row[k]
    if length == 1:
        top = 0
        for k in range(1, 4):
            if first[k] > first[top]:
                top = k
        tags[start] = top
        return

    # t = 1: the only predecessor is (BOS, s2)
    pos = start + 1
    _log_probs(model, ids[pos], ids[pos - 1], BOS_ID, row)
    for s2 in range(4):
        for s3 in range(4):
            if ids[pos] == UNSEEN_ID:
                prev[s2 * 4 + s3] = first[s2]
            else:
                prev[s2 * 4 + s3] = first[s2] + row[s2 * 4 + s3]
            pointers[16 + s2 * 4 + s3] = 0

    for t in range(2, length):
        pos = start + t
        if ids[pos] == UNSEEN_ID:  # inherit the last predecessor tried, (s, s2)
            for s2 in range(4):
                for s3 in range(4):
                    score[s2 * 4 + s3] = prev[S * 4 + s2]
                    pointers[t * 16 + s2 * 4 + s3] = S
        else:
            _log_probs(model, ids[pos], ids[pos - 1], ids[pos - 2], row)
            for s2 in range(4):
                for s3 in range(4):
                    best = prev[s2] + row[s2 * 4 + s3]
                    pointer = 0
                    for s1 in range(1, 4):
                        candidate = prev[s1 * 4 + s2] + row[s1 * 16 + s2 * 4 + s3]
                        if candidate > best:
                            best = candidate
                            pointer = s1
                    score[s2 * 4 + s3] = best
                    pointers[t * 16 + s2 * 4 + s3] = pointer
        for k in range(16):
            prev[k] = score[k]

    # the final state: first maximum with s3 major, s2 minor
    state = 0
    for s3 in range(4):
        for s2 in range(4):
            if prev[s2 * 4 + s3] > prev[state]:
                state = s2 * 4 + s3
    for t in range(length - 1, 0, -1):
        tags[start + t] = state & 3
        state = pointers[t * 16 + state] * 4 + (state >> 2)
    tags[start] = state & 3
