# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""SnowNLP's tagger (see :mod:`analysis.sentiment.decode`) in C: log_prob rows and Viterbi.

The numpy decoder in ``decode.py`` pays numpy's per-call cost at every character
position; here the same float additions and first-maximum comparisons run in a
plain loop, so the tags (and every score built on them) are bit for bit the same.
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc

cdef enum:
    S = 3  # the status s; an unseen character inherits from (s, s2)

cdef uint64_t HASH_MULTIPLIER = 0x9E3779B97F4A7C15  # as tables.HASH_MULTIPLIER


def decode_runs(
    const double[:, ::1] lp,
    const unsigned char[::1] unseen,
    const int64_t[::1] starts,
    const int64_t[::1] lengths,
    signed char[::1] tags,
):
    """Best status (b, m, e, s = 0..3) of every character, runs in text order.

    ``lp[i, s1 * 16 + s2 * 4 + s3]`` is the ``log_prob`` of character ``i`` (BOS
    context in slot 0 at a run's first two characters); ``unseen[i]`` marks a
    character the model never saw. Writes ``tags[i]``.
    """
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
                _decode_run(lp, unseen, starts[r], lengths[r], tags, pointers)
    finally:
        free(pointers)


cdef void _decode_run(
    const double[:, ::1] lp,
    const unsigned char[::1] unseen,
    Py_ssize_t start,
    Py_ssize_t length,
    signed char[::1] tags,
    signed char *pointers,
) noexcept nogil:
    cdef double first[4]
    cdef double prev[16]  # score of state (s1, s2) after the previous character
    cdef double score[16]  # score of state (s2, s3) after this one
    cdef double best, candidate
    cdef Py_ssize_t t, pos, s1, s2, s3, k
    cdef int state, pointer, top

    for k in range(4):
        first[k] = 0.0 if unseen[start] else 0.0 + lp[start, k]
    if length == 1:
        top = 0
        for k in range(1, 4):
            if first[k] > first[top]:
                top = k
        tags[start] = top
        return

    # t = 1: the only predecessor is (BOS, s2)
    pos = start + 1
    for s2 in range(4):
        for s3 in range(4):
            if unseen[pos]:
                prev[s2 * 4 + s3] = first[s2]
            else:
                prev[s2 * 4 + s3] = first[s2] + lp[pos, s2 * 4 + s3]
            pointers[16 + s2 * 4 + s3] = 0

    for t in range(2, length):
        pos = start + t
        if unseen[pos]:  # inherit the last predecessor tried, (s, s2)
            for s2 in range(4):
                for s3 in range(4):
                    score[s2 * 4 + s3] = prev[S * 4 + s2]
                    pointers[t * 16 + s2 * 4 + s3] = S
        else:
            for s2 in range(4):
                for s3 in range(4):
                    best = prev[s2] + lp[pos, s2 * 4 + s3]
                    pointer = 0
                    for s1 in range(1, 4):
                        candidate = prev[s1 * 4 + s2] + lp[pos, s1 * 16 + s2 * 4 + s3]
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


cdef inline Py_ssize_t _find(
    const int[::1] slots, const int[::1] index, int bits, Py_ssize_t width, int64_t key
) noexcept nogil:
    """The number stored for ``key`` in a table of :func:`build.hash_table`, or -1."""
    cdef uint64_t home = (<uint64_t> key * HASH_MULTIPLIER) >> (64 - bits)
    cdef Py_ssize_t j
    for j in range(width):
        if slots[home + j] == key:
            return index[home + j]
    return -1


def fill_log_probs(
    const double[:, ::1] lu,
    const int64_t[::1] ids,
    const int64_t[::1] prev1,
    const int64_t[::1] prev2,
    bi, tri,
    double[:, ::1] lp,
):
    """``decode.log_probs`` with characters in text order, one look-up at a time.

    ``bi`` and ``tri`` are (slots, index, hash shape, start, combo, value) of the
    character bigram and trigram tables. Each row is the character's base row,
    overwritten by its bigram's entries (for every s1) and then its trigram's.
    """
    cdef const int[::1] bi_slots = bi[0], bi_index = bi[1], tri_slots = tri[0], tri_index = tri[1]
    cdef const int64_t[::1] bi_start = bi[3], tri_start = tri[3]
    cdef const signed char[::1] bi_combo = bi[4], tri_combo = tri[4]
    cdef const double[::1] bi_val = bi[5], tri_val = tri[5]
    cdef int bi_bits = bi[2][0], tri_bits = tri[2][0]
    cdef Py_ssize_t bi_width = bi[2][1], tri_width = tri[2][1]
    cdef int64_t n_ids = lu.shape[0]
    cdef Py_ssize_t i, k, e, s1, bigram, trigram
    with nogil:
        for i in range(ids.shape[0]):
            for k in range(64):
                lp[i, k] = lu[ids[i], k]
            bigram = _find(bi_slots, bi_index, bi_bits, bi_width, prev1[i] * n_ids + ids[i])
            if bigram < 0:
                continue
            for e in range(bi_start[bigram], bi_start[bigram + 1]):
                for s1 in range(4):
                    lp[i, s1 * 16 + bi_combo[e]] = bi_val[e]
            trigram = _find(tri_slots, tri_index, tri_bits, tri_width, bigram * n_ids + prev2[i])
            if trigram < 0:
                continue
            for e in range(tri_start[trigram], tri_start[trigram + 1]):
                lp[i, tri_combo[e]] = tri_val[e]
