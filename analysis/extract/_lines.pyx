# cython: language_level=3
"""The loop of ``analysis.extract.html.text_lines``, compiled: a page's lines and their counts.

The tree is walked once; text collects until a block element starts or ends (or a
``<br>``), and then becomes a line owned by the innermost open block. Each line's
counts (visible characters, CJK ideographs, ASCII letters, sentence punctuation) come
from one pass over its characters, where the Python version took five regular
expression passes per line; the figures are the same (``html.content_chars``,
``html.squeeze`` and ``html.compact`` define them).
"""

from lxml import etree

# The zero-width characters ``html.SPACE_RE`` counts as space beside Unicode whitespace.
cdef str INVISIBLE = "\u200b\u200c\u200d\ufeff"


cdef struct Counts:
    Py_ssize_t visible  # neither whitespace nor zero-width
    Py_ssize_t invisible  # zero-width
    Py_ssize_t cjk
    Py_ssize_t latin
    Py_ssize_t punctuation


cdef inline bint _is_cjk(Py_UCS4 ch) noexcept:
    return 0x4E00 <= ch <= 0x9FFF or 0x3400 <= ch <= 0x4DBF or 0xF900 <= ch <= 0xFAFF


cdef Counts _count(str text):
    cdef Counts counts = Counts(0, 0, 0, 0, 0)
    cdef Py_UCS4 ch
    for ch in text:
        if ch.isspace():
            continue
        if ch in "\u200b\u200c\u200d\ufeff":
            counts.invisible += 1
            continue
        counts.visible += 1
        if _is_cjk(ch):
            counts.cjk += 1
        elif 0x41 <= ch <= 0x5A or 0x61 <= ch <= 0x7A:  # A-Z, a-z
            counts.latin += 1
        elif ch in "，。！？；、“”…":
            counts.punctuation += 1
    return counts


cdef double _content(Counts counts):
    return counts.cjk + counts.latin / 3.0


cdef str _squeeze(str text, Py_ssize_t invisible):
    cdef str ch
    if invisible:
        for ch in INVISIBLE:
            text = text.replace(ch, " ")
    return " ".join(text.split())


cdef class _Builder:
    """Text pieces of the line being collected, and the part of them inside links."""

    cdef list lines, pieces, link_pieces
    cdef object make_line

    def __init__(self, make_line):
        self.lines, self.pieces, self.link_pieces = [], [], []
        self.make_line = make_line

    cdef inline void add(self, object text, bint in_link):
        if text:
            self.pieces.append(text)
            if in_link:
                self.link_pieces.append(text)

    cdef void flush(self, object owner):
        if not self.pieces:
            return
        cdef str text = "".join(self.pieces)
        cdef Counts counts = _count(text), linked
        cdef Py_ssize_t links = 0
        cdef double content
        if counts.visible:
            content = _content(counts)
            if self.link_pieces:
                linked = _count("".join(self.link_pieces))
                links = min(counts.visible, linked.visible)
                content -= _content(linked)
            self.lines.append(
                self.make_line(
                    _squeeze(text, counts.invisible),
                    owner,
                    counts.visible,
                    links,
                    0.0 if content < 0.0 else content,
                    counts.punctuation,
                )
            )
        self.pieces.clear()
        self.link_pieces.clear()


def split_lines(root, frozenset block_tags, make_line):
    """``make_line(text, owner, chars, link_chars, content, punctuation)`` for each line."""
    cdef _Builder builder = _Builder(make_line)
    cdef list blocks = [root]
    cdef Py_ssize_t links = 0
    cdef object tag, element
    cdef str event
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag  # comments and entities have functions as tags: in no set
        if event == "start":
            if tag in block_tags:
                builder.flush(blocks[-1])
                if tag != "br":
                    blocks.append(element)
            elif tag == "a":
                links += 1
            builder.add(element.text, links > 0)
            continue
        if tag == "a":
            links -= 1
        elif tag in block_tags and tag != "br":
            builder.flush(blocks[-1])
            if len(blocks) > 1:
                blocks.pop()
        if element is not root:
            builder.add(element.tail, links > 0)
    builder.flush(blocks[-1])
    return builder.lines
