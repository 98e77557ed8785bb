# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""SnowNLP's tagger (see :mod:`analysis.sentiment.decode`) in C: log_prob rows and Viterbi.

The numpy decoder in ``decode.py`` pays numpy's per-call cost at every character
position; here the same float additions and first-maximum comparisons run in a
plain loop, so the tags (and every score built on them) are bit for bit the same.
Each character's 64 ``log_prob`` values are gathered just before its Viterbi step,
so no per-character table is written out; the bigram and trigram slots they come from
are looked up for the whole run first (:func:`_find_grams`), so those memory reads
overlap instead of each character waiting for its own.

:func:`bayes_sums` goes on from a whole text to SnowNLP's two Bayes log sums: the
split into Han runs and whitespace-separated other parts (``seg.seg``), the tags, the
words, the stop-word filter and the per-word additions in text order, with words
looked up in a :class:`WordTable` instead of creating a Python string per word.
"""

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy

cdef extern from *:
    """
    #define PREFETCH(address) __builtin_prefetch(address)
    """
    void PREFETCH(const void *address) noexcept nogil


cdef enum:
    ENTRY_BYTES = 9  # as tables.ENTRY_DTYPE
    UNKNOWN_WORD = -1  # a word the classifier never saw: its unseen value
    STOP_WORD = -2  # a stop word: dropped
    B = 0
    E = 2
    S = 3  # the status s; an unseen character inherits from (s, s2)
    BOS_ID = 0  # as tables.BOS_ID
    UNSEEN_ID = 1  # as tables.UNSEEN_ID
    ZH_FIRST = 0x4E00  # as tables.ZH_FIRST: SnowNLP's Han range
    ZH_LAST = 0x9FA5

cdef uint64_t HASH_MULTIPLIER = 0x9E3779B97F4A7C15  # as tables.HASH_MULTIPLIER
cdef uint64_t FNV_OFFSET = 0xCBF29CE484222325
cdef uint64_t FNV_PRIME = 0x100000001B3


cdef struct Slot:
    # a slot of a bigram or trigram hash table (tables.SLOT_*): all a look-up reads
    int32_t key  # -1: empty
    int32_t number  # the gram's number, its rank in key order
    int32_t first  # its entries are first:end
    int32_t end


cdef struct Grams:
    # a character bigram or trigram table of build.py: hash slots, entries
    const Slot *slots
    const unsigned char *entries  # ENTRY_BYTES each: log P (a double), status combo (int8)
    int bits
    Py_ssize_t width


cdef struct Found:
    # a character's bigram and trigram slots in the tables, NULL when not stored
    const Slot *bigram
    const Slot *trigram


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
    ``tri`` are (slots, entries as bytes, hash shape) of the bigram and
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
    cdef Found *found = <Found *> malloc(max(longest, 1) * sizeof(Found))
    if pointers == NULL or found == NULL:
        free(pointers)
        free(found)
        raise MemoryError()
    try:
        with nogil:
            for r in range(runs):
                _decode_run(&model, &ids[0], starts[r], lengths[r], &tags[0], pointers, found)
    finally:
        free(pointers)
        free(found)


cdef void _grams(Grams *grams, table) except *:
    cdef const int32_t[:, ::1] slots = table[0]
    cdef const unsigned char[::1] entries = table[1]
    cdef const int64_t[::1] shape = table[2]
    if slots.shape[1] != 4:
        raise ValueError("a gram table's slots have four fields")
    grams.slots = <const Slot *> &slots[0, 0]
    grams.entries = &entries[0] if entries.shape[0] else NULL
    grams.bits = <int> shape[0]
    grams.width = shape[1]


cdef inline const Slot *_find(const Grams *grams, int64_t key) noexcept nogil:
    """The slot holding ``key`` (see build.hash_table), or NULL.

    Keys fill runs of slots in order of their home slot, so an empty slot before the
    key means it is not stored."""
    cdef const Slot *home = grams.slots + ((<uint64_t> key * HASH_MULTIPLIER) >> (64 - grams.bits))
    cdef Py_ssize_t j
    for j in range(grams.width):
        if home[j].key == key:
            return &home[j]
        if home[j].key < 0:
            return NULL
    return NULL


cdef inline void _entry(
    const Grams *grams, Py_ssize_t e, double *value, Py_ssize_t *combo
) noexcept nogil:
    cdef const unsigned char *entry = grams.entries + e * ENTRY_BYTES
    memcpy(value, entry, sizeof(double))  # entries are packed: a double may be unaligned
    combo[0] = (<const signed char *> entry)[sizeof(double)]


cdef void _find_grams(
    const Model *model, const int64_t *ids, Py_ssize_t start, Py_ssize_t length, Found *found
) noexcept nogil:
    """The bigram and trigram slots of every character of a run (NULL: not stored).

    Every character's bigram is looked up first, then every trigram: the look-ups of one
    pass do not wait for each other, so their memory reads overlap, where one character
    at a time waits for each in turn (the tables are far bigger than the cache)."""
    cdef Py_ssize_t t, k
    cdef int64_t prev
    for t in range(length):
        prev = ids[start + t - 1] if t >= 1 else BOS_ID
        found[t].bigram = _find(&model.bi, prev * model.n_ids + ids[start + t])
        for k in range(0, 64, 8):  # the base row, 512 bytes
            PREFETCH(model.lu + ids[start + t] * 64 + k)
    for t in range(length):
        found[t].trigram = NULL
        if found[t].bigram != NULL:
            PREFETCH(model.bi.entries + found[t].bigram.first * ENTRY_BYTES)
            prev = ids[start + t - 2] if t >= 2 else BOS_ID
            found[t].trigram = _find(&model.tri, found[t].bigram.number * model.n_ids + prev)
            if found[t].trigram != NULL:
                PREFETCH(model.tri.entries + found[t].trigram.first * ENTRY_BYTES)


cdef inline void _log_probs(
    const Model *model, int64_t id_, const Found *found, double *row
) noexcept nogil:
    """``decode.log_probs`` of one character: its base row, overwritten by its
    bigram's entries (for every s1) and then its trigram's."""
    cdef Py_ssize_t k, e, s1, combo
    cdef double value
    for k in range(64):
        row[k] = model.lu[id_ * 64 + k]
    if found.bigram == NULL:
        return
    for e in range(found.bigram.first, found.bigram.end):
        _entry(&model.bi, e, &value, &combo)
        for s1 in range(4):
            row[s1 * 16 + combo] = value
    if found.trigram == NULL:
        return
    for e in range(found.trigram.first, found.trigram.end):
        _entry(&model.tri, e, &value, &combo)
        row[combo] = value


cdef void _decode_run(
    const Model *model,
    const int64_t *ids,
    Py_ssize_t start,
    Py_ssize_t length,
    signed char *tags,
    signed char *pointers,
    Found *found,
) noexcept nogil:
    cdef double row[64]  # log_prob of the current character, s1 * 16 + s2 * 4 + s3
    cdef double first[4]
    cdef double prev[16]  # score of state (s1, s2) after the previous character
    cdef double score[16]  # score of state (s2, s3) after this one
    cdef double best, candidate
    cdef Py_ssize_t t, pos, s1, s2, s3, k
    cdef int state, pointer, top

    _find_grams(model, ids, start, length, found)
    _log_probs(model, ids[start], &found[0], row)
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
    _log_probs(model, ids[pos], &found[1], row)
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
            _log_probs(model, ids[pos], &found[t], row)
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


cdef inline bint _is_space(uint32_t c) noexcept nogil:
    """``str.isspace``: where ``str.split()`` cuts (tested against it for every code point)."""
    if c < 0x80:
        return c == 0x20 or 0x09 <= c <= 0x0D or 0x1C <= c <= 0x1F
    return (
        c == 0x85 or c == 0xA0 or c == 0x1680 or 0x2000 <= c <= 0x200A or c == 0x2028
        or c == 0x2029 or c == 0x202F or c == 0x205F or c == 0x3000
    )


def is_space(uint32_t c):
    """:func:`_is_space` for tests."""
    return _is_space(c)


cdef inline uint64_t _word_hash(const uint32_t *chars, Py_ssize_t length) noexcept nogil:
    """FNV-1a over the code points."""
    cdef uint64_t h = FNV_OFFSET
    cdef Py_ssize_t i
    for i in range(length):
        h = (h ^ chars[i]) * FNV_PRIME
    return h


cdef class WordTable:
    """Words -> (stop word?, row of the classifier's log frequencies or -1), hashed.

    Built once per classifier from its vocabulary and SnowNLP's stop words; a stop
    word is dropped before classification whether or not the classifier knows it.
    """

    cdef uint32_t[::1] chars  # every word's code points, end to end
    cdef int64_t[::1] offsets  # word k is chars[offsets[k]:offsets[k + 1]]
    cdef int32_t[::1] rows  # its log-frequency row, -1 when unknown
    cdef signed char[::1] stop
    cdef int32_t[::1] slots  # open addressing: word number or -1
    cdef uint64_t mask

    def __init__(self, words, rows, stop):
        import numpy as np

        count = len(words)
        joined = "".join(words)
        self.chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).copy()
        self.offsets = np.concatenate(([0], np.cumsum([len(w) for w in words]))).astype(np.int64)
        self.rows = np.asarray(rows, dtype=np.int32)
        self.stop = np.asarray(stop, dtype=np.int8)
        size = 1
        while size < 2 * count + 1:
            size *= 2
        self.slots = np.full(size, -1, dtype=np.int32)
        self.mask = size - 1
        cdef Py_ssize_t k
        cdef uint64_t home
        for k in range(count):
            if self._find(&self.chars[self.offsets[k]], self.offsets[k + 1] - self.offsets[k]) >= 0:
                raise ValueError(f"duplicate word {words[k]!r}")
            home = _word_hash(&self.chars[self.offsets[k]], self.offsets[k + 1] - self.offsets[k])
            home &= self.mask
            while self.slots[home] >= 0:
                home = (home + 1) & self.mask
            self.slots[home] = k

    cdef Py_ssize_t _find(self, const uint32_t *word, Py_ssize_t length) noexcept nogil:
        cdef uint64_t home = _word_hash(word, length) & self.mask
        cdef int32_t k
        while True:
            k = self.slots[home]
            if k < 0:
                return -1
            if (
                self.offsets[k + 1] - self.offsets[k] == length
                and memcmp(&self.chars[self.offsets[k]], word, length * 4) == 0
            ):
                return k
            home = (home + 1) & self.mask


cdef inline Py_ssize_t _word_row(
    WordTable table, const uint32_t *word, Py_ssize_t length
) noexcept nogil:
    """The word's row of log frequencies; UNKNOWN_WORD, or STOP_WORD (dropped)."""
    cdef Py_ssize_t k = table._find(word, length)
    if k < 0:
        return UNKNOWN_WORD
    if table.stop[k]:
        return STOP_WORD
    return table.rows[k] if table.rows[k] >= 0 else UNKNOWN_WORD


cdef inline void _add_row(
    Py_ssize_t row, const double *logfreq, const double *unseen, double *sums
) noexcept nogil:
    if row == STOP_WORD:
        return
    if row == UNKNOWN_WORD:
        sums[0] += unseen[0]
        sums[1] += unseen[1]
    else:
        sums[0] += logfreq[2 * row]
        sums[1] += logfreq[2 * row + 1]


cdef void _add_run_words(
    WordTable table,
    const uint32_t *chars,
    const Py_ssize_t *starts,
    Py_ssize_t words,
    Py_ssize_t *rows,
    const double *logfreq,
    const double *unseen,
    double *sums,
) noexcept nogil:
    """A run's words (word j is chars[starts[j]:starts[j + 1]]) added in text order.

    Every word's hash slot is fetched ahead, then every word looked up, then the rows
    added: the look-ups' memory reads overlap; the additions keep their order."""
    cdef Py_ssize_t j
    for j in range(words):
        PREFETCH(&table.slots[_word_hash(chars + starts[j], starts[j + 1] - starts[j]) & table.mask])
    for j in range(words):
        rows[j] = _word_row(table, chars + starts[j], starts[j + 1] - starts[j])
        if rows[j] >= 0:
            PREFETCH(logfreq + 2 * rows[j])
    for j in range(words):
        _add_row(rows[j], logfreq, unseen, sums)


def bayes_sums(
    const double[:, ::1] lu,
    bi,
    tri,
    const int32_t[::1] char_ids,
    const uint32_t[::1] text,
    WordTable table,
    const double[:, ::1] logfreq,
    const double[::1] base,
    const double[::1] unseen,
):
    """SnowNLP's two-class Bayes log sums over a text's words, stop words dropped.

    ``text`` is the code points, ``char_ids`` the tables' id of each code point in
    SnowNLP's Han range (from ``ZH_FIRST``), ``logfreq`` the classifier's [row, class]
    log frequencies, ``base`` and ``unseen`` its per-class start and unknown-word value.
    The additions run word by word in text order, as ``Bayes.classify`` does.
    """
    cdef Model model
    model.lu = &lu[0, 0]
    model.n_ids = lu.shape[0]
    _grams(&model.bi, bi)
    _grams(&model.tri, tri)
    cdef Py_ssize_t n = text.shape[0]
    cdef double sums[2]
    sums[0] = base[0]
    sums[1] = base[1]
    if n == 0:
        return sums[0], sums[1]
    cdef const double *freq = &logfreq[0, 0] if logfreq.shape[0] else NULL
    cdef double no_word[2]
    no_word[0] = unseen[0]
    no_word[1] = unseen[1]
    cdef const uint32_t *chars = &text[0]
    cdef int64_t *ids = <int64_t *> malloc(n * sizeof(int64_t))
    cdef signed char *tags = <signed char *> malloc(n)
    cdef Py_ssize_t i, k, start, longest = 1
    cdef uint32_t c
    i = 0
    while i < n:  # the longest Han run: the back-pointers of one run at a time
        start = i
        while i < n and ZH_FIRST <= chars[i] <= ZH_LAST:
            i += 1
        if i - start > longest:
            longest = i - start
        i += 1
    cdef signed char *pointers = <signed char *> malloc(longest * 16)
    cdef Found *found = <Found *> malloc(longest * sizeof(Found))
    cdef Py_ssize_t *word_starts = <Py_ssize_t *> malloc((longest + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *word_rows = <Py_ssize_t *> malloc(longest * sizeof(Py_ssize_t))
    cdef Py_ssize_t words
    if (
        ids == NULL or tags == NULL or pointers == NULL or found == NULL
        or word_starts == NULL or word_rows == NULL
    ):
        free(ids)
        free(tags)
        free(pointers)
        free(found)
        free(word_starts)
        free(word_rows)
        raise MemoryError()
    with nogil:
        i = 0
        while i < n:
            c = chars[i]
            if ZH_FIRST <= c <= ZH_LAST:  # a Han run: tag it, then its words
                start = i
                while i < n and ZH_FIRST <= chars[i] <= ZH_LAST:
                    ids[i] = char_ids[chars[i] - ZH_FIRST]
                    i += 1
                _decode_run(&model, ids, start, i - start, tags, pointers, found)
                word_starts[0] = start
                words = 0
                for k in range(start, i):
                    # a word ends at an e, before a b or s, and at the end of the run
                    if (
                        k == i - 1
                        or tags[k] == E
                        or tags[k + 1] == B
                        or tags[k + 1] == S
                    ):
                        words += 1
                        word_starts[words] = k + 1
                _add_run_words(table, chars, word_starts, words, word_rows, freq, no_word, sums)
            elif _is_space(c):
                i += 1
            else:  # a word of the other parts: up to whitespace or a Han character
                start = i
                while i < n and not _is_space(chars[i]) and not (
                    ZH_FIRST <= chars[i] <= ZH_LAST
                ):
                    i += 1
                _add_row(_word_row(table, chars + start, i - start), freq, no_word, sums)
    free(ids)
    free(tags)
    free(pointers)
    free(found)
    free(word_starts)
    free(word_rows)
    return sums[0], sums[1]
