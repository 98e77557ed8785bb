# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A page's character 1-, 2- and 3-grams looked up in the shared vocabulary, in C.

:class:`analysis.judgement.vocabulary.SharedVocabulary` keys a gram as one integer
(each code point + 1 in its own 21 bits) and keeps the keys sorted. The numpy lookup
sorts and counts every gram of the page (``np.unique``), then binary-searches each
distinct one. Here each gram's key goes straight to a hash table of the vocabulary
that answers its rank in the sorted keys; only the grams found are counted, and
their ranks sorted, so the result (ranks in key order, with counts) is the same.
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15  # Fibonacci hashing
cdef int BITS = 21


cdef class GramIndex:
    """Sorted gram keys -> rank, by open addressing; counts reused between pages."""

    cdef int64_t[::1] slots  # a key, or -1 for an empty slot
    cdef int32_t[::1] ranks  # the key's rank in the sorted keys
    cdef int32_t[::1] counts  # per rank, zero between calls
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

    cdef inline int32_t _rank(self, int64_t key) noexcept:
        cdef uint64_t home = (<uint64_t> key * MULTIPLIER) >> self.shift
        while self.slots[home] >= 0:
            if self.slots[home] == key:
                return self.ranks[home]
            home = (home + 1) & self.mask
        return -1

    def lookup(self, const uint32_t[::1] codes):
        """(ranks of the known grams of the code points, ascending; how often each occurs)."""
        cdef Py_ssize_t n = codes.shape[0], i, found = 0
        cdef int64_t[::1] seen = np.empty(3 * n, dtype=np.int64)
        cdef int64_t[::1] tallied = np.empty(3 * n, dtype=np.int64)
        cdef int64_t one, two, three
        cdef int32_t rank
        for i in range(n):
            one = <int64_t> codes[i] + 1
            rank = self._rank(one)
            if rank >= 0:
                if self.counts[rank] == 0:
                    seen[found] = rank
                    found += 1
                self.counts[rank] += 1
            if i + 1 < n:
                two = one | ((<int64_t> codes[i + 1] + 1) << BITS)
                rank = self._rank(two)
                if rank >= 0:
                    if self.counts[rank] == 0:
                        seen[found] = rank
                        found += 1
                    self.counts[rank] += 1
                if i + 2 < n:
                    three = two | ((<int64_t> codes[i + 2] + 1) << (2 * BITS))
                    rank = self._rank(three)
                    if rank >= 0:
                        if self.counts[rank] == 0:
                            seen[found] = rank
                            found += 1
                        self.counts[rank] += 1
        # The counts go back to zero before any Python call (which could let another
        # thread in): this function holds the GIL from its first count to here.
        for i in range(found):
            tallied[i] = self.counts[seen[i]]
            self.counts[seen[i]] = 0
        ranks = np.asarray(seen[:found])
        order = np.argsort(ranks, kind="stable")
        return ranks[order], np.asarray(tallied[:found])[order]
