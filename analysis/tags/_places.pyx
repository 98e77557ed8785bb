# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The gazetteer's place names in a text, scanned in C (``Gazetteer.find``).

The numpy scan keys every position's two characters, binary-searches all the keys
and hands the matching positions back to Python: a dozen array calls whatever the
text's length, a fixed cost most titles and short pages never earn back. Here one
loop reads the code points, looks each pair up in a hash table of the names' first
two characters and tries the names' lengths, longest first, only where a pair
begins some name; the result is the same list of (position, name).
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint64_t

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15  # Fibonacci hashing
cdef int BITS = 21  # a code point's bits in a pair's key (``regions.pair_keys``)


cdef class PlaceFinder:
    """Pairs of first characters -> the lengths of the names they begin, by open addressing."""

    cdef int64_t[::1] slots  # a pair's key, or -1 for an empty slot
    cdef int32_t[::1] rows  # the pair's row in ``lengths``
    cdef list lengths  # per pair, the lengths of the names it begins, longest first
    cdef dict names
    cdef int shift
    cdef uint64_t mask

    def __init__(self, const int64_t[::1] keys, list lengths, dict names):
        """``keys`` distinct pair keys; ``lengths[i]`` the name lengths of ``keys[i]``."""
        cdef Py_ssize_t size = 16, n = keys.shape[0], i
        cdef int bits = 4
        cdef uint64_t home
        if len(lengths) != n:
            raise ValueError("one tuple of lengths per key")
        while size < 2 * n + 1:
            size *= 2
            bits += 1
        self.slots = np.full(size, -1, dtype=np.int64)
        self.rows = np.zeros(size, dtype=np.int32)
        self.lengths, self.names = lengths, names
        self.shift, self.mask = 64 - bits, size - 1
        for i in range(n):
            if keys[i] < 0:
                raise ValueError("keys must be non-negative")
            home = (<uint64_t> keys[i] * MULTIPLIER) >> self.shift
            while self.slots[home] >= 0:
                if self.slots[home] == keys[i]:
                    raise ValueError("keys must be distinct")
                home = (home + 1) & self.mask
            self.slots[home] = keys[i]
            self.rows[home] = i

    cdef inline int32_t _row(self, int64_t key) noexcept:
        cdef uint64_t home = (<uint64_t> key * MULTIPLIER) >> self.shift
        while self.slots[home] >= 0:
            if self.slots[home] == key:
                return self.rows[home]
            home = (home + 1) & self.mask
        return -1

    def find(self, str text):
        """(position, name) of each name, left to right, longest first, none overlapping."""
        cdef Py_ssize_t n = len(text), start, position = 0
        cdef int32_t row
        cdef int64_t key
        found = []
        for start in range(n - 1):
            if start < position:
                continue
            key = (<int64_t> text[start] << BITS) | <int64_t> text[start + 1]
            row = self._row(key)
            if row < 0:
                continue
            for length in self.lengths[row]:
                name = text[start : start + length]
                if name in self.names:
                    found.append((start, name))
                    position = start + length
                    break
        return found
