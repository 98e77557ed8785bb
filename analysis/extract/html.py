"""Parsing pages, and splitting a tree into lines of text.

Everything works on lxml trees directly: BeautifulSoup is far too slow for the crawler's
budget of a few milliseconds per page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from analysis.extract.nesting import MAX_DEPTH, flatten_nesting
from analysis.extract.patterns import BLOCK_TAGS, DROP_TAGS

try:
    from analysis.extract._lines import split_lines as _compiled_split_lines
except ImportError:  # not built (a source checkout that was not installed): the Python loop
    _compiled_split_lines = None

#: Plain lxml elements: ``lxml.html``'s element classes are chosen by a Python callback
#: for every element Python touches, a tenth of extraction's time, for methods we do not use.
HtmlElement = etree._Element

XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
SPACE_RE = re.compile(r"[\s\u3000\xa0\u200b\u200c\u200d\ufeff]+")
#: What lxml keeps in text it parsed but refuses in text set (no tab, newline or return).
CONTROL_RE = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: Sentence punctuation of running Chinese text (labels' colons do not count).
SENTENCE_PUNCTUATION_RE = re.compile(r"[，。！？；、“”…]")
#: Characters that carry content: CJK ideographs (ASCII letters are counted apart). They
#: are counted as what is left when everything else is removed: no string per character.
NOT_CJK_RE = re.compile(r"[^\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+")
NOT_LATIN_RE = re.compile(r"[^A-Za-z]+")

#: ``huge_tree`` lifts libxml2's nesting limit from 256 to 2048 levels (broken pages
#: with thousands of unclosed ``<div>``/``<font>`` exist) and its text-node size limit;
#: deeper pages are flattened (``analysis.extract.nesting``) and parsed again.
_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, default_doctype=False, huge_tree=True
)


def parse_html(markup: str) -> HtmlElement | None:
    """Parse decoded ``markup`` into a tree, or None when there is nothing to parse."""
    if not markup or not markup.strip():
        return None
    markup = XML_DECLARATION_RE.sub("", markup, count=1).replace("\x00", "")
    root = _parse(markup)
    if root is not None and _too_deep():
        root = _parse(flatten_nesting(markup, MAX_DEPTH))
    if root is None or not isinstance(root.tag, str):
        return None
    _adopt_stray_roots(root)
    return root


def _parse(markup: str) -> etree._Element | None:
    try:
        return etree.fromstring(markup.encode("utf-8", errors="replace"), parser=_PARSER)
    except (etree.ParserError, ValueError, TypeError):
        return None


def _too_deep() -> bool:
    """Whether libxml2 stopped the last parse at its depth limit (the rest of the page is lost)."""
    return any("Excessive depth" in entry.message for entry in _PARSER.error_log)


def _adopt_stray_roots(root: HtmlElement) -> None:
    """Pages with a second ``<html>`` leave it beside the root: move its content in."""
    body = root.find("body")
    target = body if body is not None else root
    for stray in list(root.itersiblings()):
        if isinstance(stray.tag, str):
            for child in list(stray):
                target.append(child)


def prune(root: HtmlElement) -> None:
    """Remove scripts, styles, form controls and hidden elements, in place."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    hidden = [
        el
        for el in root.iter(etree.Element)
        if (
            el.get("hidden") is not None
            or ((style := el.get("style")) and HIDDEN_STYLE_RE.search(style))
        )
        and el.tag not in ("html", "body")
    ]
    for element in hidden:
        if element.getparent() is not None:
            drop_tree(element)


def drop_tree(element: etree._Element) -> None:
    """Remove ``element`` and everything in it; its tail joins the text before it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = _settable((parent.text or "") + element.tail)
        else:
            previous.tail = _settable((previous.tail or "") + element.tail)
    parent.remove(element)


def _settable(text: str) -> str:
    """``text`` without the control characters lxml parses but refuses to set (a page
    with ``\x1c`` after a hidden element lost all its text): separators become spaces."""
    return CONTROL_RE.sub(lambda match: " " if match.group().isspace() else "", text)


def squeeze(text: str) -> str:
    """Collapse whitespace (ideographic and no-break spaces too) to single spaces."""
    return SPACE_RE.sub(" ", text).strip()


def compact(text: str) -> str:
    """``text`` without any whitespace."""
    return SPACE_RE.sub("", text)


def element_text(element: etree._Element | None) -> str:
    """All text below ``element``, whitespace squeezed; empty for None."""
    if element is None:
        return ""
    try:
        return squeeze(etree.tostring(element, method="text", encoding=str, with_tail=False))
    except (ValueError, TypeError):
        return ""


def content_chars(text: str) -> float:
    """Content weight of ``text``: CJK characters, plus ASCII letters at a third."""
    return len(NOT_CJK_RE.sub("", text)) + len(NOT_LATIN_RE.sub("", text)) / 3


@dataclass(slots=True)
class Line:
    """One visual line of text and the block element that holds it."""

    text: str
    owner: etree._Element
    chars: int
    link_chars: int
    content: float
    punctuation: int

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


def text_lines(root: etree._Element) -> list[Line]:
    """Split the text below ``root`` into lines at block elements and ``<br>``.

    A line belongs to the innermost block element around it. The compiled loop
    (``_lines.pyx``) counts each line's characters in one pass; ``python_text_lines``
    does the same with regular expressions, with the same results.
    """
    if _compiled_split_lines is not None:
        return _compiled_split_lines(root, BLOCK_TAGS, Line)
    return python_text_lines(root)


def python_text_lines(root: etree._Element) -> list[Line]:
    """``text_lines`` without the compiled extension."""
    lines: list[Line] = []
    pieces: list[str] = []  # text of the line being collected ...
    link_pieces: list[str] = []  # ... and the part of it inside links
    blocks: list[etree._Element] = [root]
    links = 0

    def flush() -> None:
        if line := _line("".join(pieces), "".join(link_pieces), blocks[-1]):
            lines.append(line)
        pieces.clear()
        link_pieces.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag  # comments and entities have functions as tags: in no set
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
                if tag != "br":
                    blocks.append(element)
            elif tag == "a":
                links += 1
            if text := element.text:
                pieces.append(text)
                if links:
                    link_pieces.append(text)
            continue
        if tag == "a":
            links -= 1
        elif tag in BLOCK_TAGS and tag != "br":
            flush()
            if len(blocks) > 1:
                blocks.pop()
        if element is not root and (tail := element.tail):
            pieces.append(tail)
            if links:
                link_pieces.append(tail)
    flush()
    return lines


def _line(text: str, linked: str, owner: etree._Element) -> Line | None:
    """The line of ``text`` (``linked``: the part of it inside links), if it shows any."""
    text = squeeze(text)
    if not text:
        return None
    chars = len(text) - text.count(" ")  # squeezed: single spaces are all it has
    content = content_chars(text)
    links = 0
    if linked:  # most lines have no link text to take off
        links = min(chars, len(compact(linked)))
        content -= content_chars(linked)
    punctuation = len(SENTENCE_PUNCTUATION_RE.findall(text))
    return Line(text, owner, chars, links, max(content, 0.0), punctuation)
