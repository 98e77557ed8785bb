# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A page's character 1-, 2- and 3-grams looked up in the shared vocabulary, in C.

:class:`analysis.judgement.vocabulary.SharedVocabulary` keys a gram as one integer
(each code point + 1 in its own 21 bits) and keeps the keys sorted. The numpy lookup
sorts and counts every gram of the page (``np.unique``), then binary-searches each
distinct one. Here each gram's key goes straight to a hash table of the vocabulary
that answers its rank in the sorted keys; only the grams found are counted, and
their ranks come back in order, so the result (ranks in key order, with counts) is
the same.
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15  # Fibonacci hashing
cdef int BITS = 21


cdef extern from *:
    """
    #define PREFETCH(address) __builtin_prefetch(address)
    #define LOWEST_BIT(word) __builtin_ctzll(word)
    """
    void PREFETCH(const void *address) noexcept nogil
    int LOWEST_BIT(uint64_t word) noexcept nogil


cdef class GramIndex:
    """Sorted gram keys -> rank, by open addressing; counts reused between pages."""

    cdef int64_t[::1] slots  # a key, or -1 for an empty slot
    cdef int32_t[::1] ranks  # the key's rank in the sorted keys
    cdef int32_t[::1] counts  # per rank, zero between calls
    cdef uint64_t[::1] marks  # a bit per rank: counted on this page; zero between calls
    cdef int shift
    cdef uint64_t mask

    def __init__(self, const int64_t[::1] keys):
        cdef Py_ssize_t size = 16, n = keys.shape[0], i
        cdef int bits = 4
        while size < 2 * n + 1:
            size *= 2
            bits += 1
        self.slots = np.full(size, -1, dtype=np.int64)
        self.ranks = np.zeros(size, dtype=np.int32)
        self.counts = np.zeros(max(n, 1), dtype=np.int32)
        self.marks = np.zeros(n // 64 + 1, dtype=np.uint64)
        self.shift = 64 - bits
        self.mask = size - 1
        cdef uint64_t home
        for i in range(n):
            if keys[i] < 0 or (i and keys[i] <= keys[i - 1]):
                raise ValueError("keys must be sorted, distinct and non-negative")
            home = (<uint64_t> keys[i] * MULTIPLIER) >> self.shift
            while self.slots[home] >= 0:
                home = (home + 1) & self.mask
            self.slots[home] = keys[i]
            self.ranks[home] = i

    cdef inline uint64_t _home(self, int64_t key) noexcept:
        return (<uint64_t> key * MULTIPLIER) >> self.shift

    cdef inline int32_t _rank(self, int64_t key, uint64_t home) noexcept:
        while self.slots[home] >= 0:
            if self.slots[home] == key:
                return self.ranks[home]
            home = (home + 1) & self.mask
        return -1

    def lookup(self, const uint32_t[::1] codes):
        """(ranks of the known grams of the code points, ascending; how often each occurs).

        Every gram's key is made, and its home slot fetched ahead, before any is looked
        up: the reads of the table overlap instead of waiting for each other. The ranks
        seen are marked in a bitmap, which gives them back in ascending order unsorted.
        """
        cdef Py_ssize_t n = codes.shape[0], i, grams = 0, found = 0, word
        cdef int64_t[::1] keys = np.empty(3 * n, dtype=np.int64)
        cdef uint64_t[::1] homes = np.empty(3 * n, dtype=np.uint64)
        cdef int64_t one, two
        cdef int32_t rank
        cdef uint64_t bits
        for i in range(n):  # 1-, 2- and 3-grams in text order
            one = <int64_t> codes[i] + 1
            keys[grams] = one
            grams += 1
            if i + 1 < n:
                two = one | ((<int64_t> codes[i + 1] + 1) << BITS)
                keys[grams] = two
                grams += 1
                if i + 2 < n:
                    keys[grams] = two | ((<int64_t> codes[i + 2] + 1) << (2 * BITS))
                    grams += 1
        result = np.empty(grams, dtype=np.int64)
        tally = np.empty(grams, dtype=np.int64)
        cdef int64_t[::1] out_ranks = result, out_counts = tally
        for i in range(grams):
            homes[i] = self._home(keys[i])
            PREFETCH(&self.slots[homes[i]])
        for i in range(grams):
            rank = self._rank(keys[i], homes[i])
            if rank >= 0:
                if self.counts[rank] == 0:
                    self.marks[rank >> 6] |= (<uint64_t> 1) << (rank & 63)
                    found += 1
                self.counts[rank] += 1
        # The counts and marks go back to zero before any Python call (which could let
        # another thread in): this function holds the GIL from its first count to here.
        found = 0
        for word in range(self.marks.shape[0]):
            bits = self.marks[word]
            self.marks[word] = 0
            while bits:
                rank = <int32_t> (word * 64 + LOWEST_BIT(bits))
                out_ranks[found] = rank
                out_counts[found] = self.counts[rank]
                self.counts[rank] = 0
                found += 1
                bits &= bits - 1
        return result[:found], tally[:found]
