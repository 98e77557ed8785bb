# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A text's index terms joined by spaces (``index.tokens.index_text``), in one pass in C.

The Python path normalises the text (full-width folding by a regex with a Python
call per full-width run, lower case, whitespace collapsed, spaces between CJK
characters dropped), finds its runs with a regex and builds a string per bigram
before joining them: about a tenth of the crawler process's CPU in a default crawl.
Here the text is lower-cased by ``str.lower`` and every other step reads its code
points once and writes the joined terms into one buffer; the result is the same
string (tested against the Python path).
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.unicode cimport Py_UNICODE_ISSPACE
from libc.stdint cimport uint32_t


cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


cdef inline uint32_t folded(Py_UCS4 character) noexcept:
    """Full-width ASCII to ASCII and the ideographic space to a space (``_fold_width``)."""
    cdef uint32_t c = <uint32_t> character
    if 0xFF01 <= c <= 0xFF5E:
        return c - 0xFEE0
    if c == 0x3000:
        return 0x20
    return c


cdef inline bint is_cjk(uint32_t c) noexcept nogil:
    return 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF


cdef inline bint is_word(uint32_t c) noexcept nogil:
    return (0x30 <= c <= 0x39) or (0x61 <= c <= 0x7A)


def index_text(str text):
    """The same string as ``" ".join(index.tokens.index_terms(text))``.

    Folding and lower-casing commute here (the only full-width characters that
    change case are the full-width letters, which fold to the letters they
    lower-case to), so the text is lower-cased first as a whole. A CJK run goes on
    across whitespace when a CJK character follows it: normalisation collapses the
    whitespace to one space and drops a space between two CJK characters.
    """
    cdef str lowered = text.lower()
    cdef Py_ssize_t n = len(lowered)
    cdef Py_ssize_t i = 0, j, size = 0
    cdef uint32_t c, previous
    cdef bint first = True
    # Each character writes at most three code points (a bigram and its space).
    cdef uint32_t *out = <uint32_t *> PyMem_Malloc((3 * n + 1) * sizeof(uint32_t))
    if out == NULL:
        raise MemoryError()
    try:
        while i < n:
            c = folded(lowered[i])
            if is_cjk(c):
                previous = c
                i += 1
                while True:
                    while i < n:
                        c = folded(lowered[i])
                        if not is_cjk(c):
                            break
                        if not first:
                            out[size] = 0x20
                            size += 1
                        first = False
                        out[size] = previous
                        out[size + 1] = c
                        size += 2
                        previous = c
                        i += 1
                    j = i
                    while j < n and Py_UNICODE_ISSPACE(<Py_UCS4> folded(lowered[j])):
                        j += 1
                    if j > i and j < n and is_cjk(folded(lowered[j])):
                        i = j  # the run goes on after the whitespace
                        continue
                    break
                if not first:
                    out[size] = 0x20
                    size += 1
                first = False
                out[size] = previous  # the run's last character alone
                size += 1
            elif is_word(c):
                if not first:
                    out[size] = 0x20
                    size += 1
                first = False
                while i < n:
                    c = folded(lowered[i])
                    if not is_word(c):
                        break
                    out[size] = c
                    size += 1
                    i += 1
            else:
                i += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size)
    finally:
        PyMem_Free(out)
