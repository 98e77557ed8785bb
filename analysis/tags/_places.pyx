# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Where a text's place names may begin, found in C (``Gazetteer.find``'s candidates).

The numpy path keys every position's two characters and binary-searches all the keys:
a dozen array calls whatever the text's length, a fixed cost most titles and short
pages never earn back. Here one loop reads the code points and looks each pair up in a
hash table of the names' first two characters; the positions found are the same.
"""

import numpy as np

from libc.stdint cimport int64_t, uint64_t

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15  # Fibonacci hashing
cdef int BITS = 21  # a code point's bits in a pair's key (``gazetteer.pair_keys``)


cdef class PairSet:
    """Pair keys (two code points in one integer), by open addressing."""

    cdef int64_t[::1] slots  # a key, or -1 for an empty slot
    cdef int shift
    cdef uint64_t mask

    def __init__(self, const int64_t[::1] keys):
        cdef Py_ssize_t size = 16, n = keys.shape[0], i
        cdef int bits = 4
        cdef uint64_t home
        while size < 2 * n + 1:
            size *= 2
            bits += 1
        self.slots = np.full(size, -1, dtype=np.int64)
        self.shift, self.mask = 64 - bits, size - 1
        for i in range(n):
            if keys[i] < 0:
                raise ValueError("keys must be non-negative")
            home = (<uint64_t> keys[i] * MULTIPLIER) >> self.shift
            while self.slots[home] >= 0 and self.slots[home] != keys[i]:
                home = (home + 1) & self.mask
            self.slots[home] = keys[i]

    cdef inline bint _has(self, int64_t key) noexcept:
        cdef uint64_t home = (<uint64_t> key * MULTIPLIER) >> self.shift
        while self.slots[home] >= 0:
            if self.slots[home] == key:
                return True
            home = (home + 1) & self.mask
        return False

    def starts(self, str text):
        """Positions whose two characters form a key of the set, in order."""
        cdef Py_ssize_t n = len(text), start
        starts = []
        for start in range(n - 1):
            if self._has((<int64_t> text[start] << BITS) | <int64_t> text[start + 1]):
                starts.append(start)
        return starts
