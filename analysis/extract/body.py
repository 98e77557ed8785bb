"""Main text: find the block holding the article, then keep its clean paragraphs.

Each text block (a paragraph, or a run of text broken by ``<br>``) earns points
for its length and Chinese punctuation and loses them for link text; the points
go to its parent in full and to its grandparent in half. The best-scoring element
is the article container (the approach of Readability, tuned for Chinese pages).
"""

from __future__ import annotations

from lxml import html as lxml_html

from analysis.extract.patterns import (
    BLOCK_TAGS,
    BOILERPLATE_ATTR,
    BOILERPLATE_LINE,
    CONTENT_ATTR,
    INLINE_JUNK,
    PUNCTUATION,
    SHORT_LINE_NO_PUNCT,
    TRAILER_HEADING,
)

HtmlElement = lxml_html.HtmlElement
MIN_BLOCK_CHARS = 10
BOILERPLATE_CANDIDATES = (
    "nav",
    "footer",
    "aside",
    "header",
    "form",
    "ul",
    "ol",
    "div",
    "section",
    "table",
    "dl",
    "p",
    "span",
)
BOILERPLATE_MAX_CHARS = 300


def remove_boilerplate_nodes(root: HtmlElement) -> None:
    """Drop navigation, share bars, comments and link lists (unless they hold real text)."""
    for element in list(
        root.iter(
            "nav",
            "footer",
            "aside",
            "header",
            "ul",
            "ol",
            "div",
            "section",
            "table",
            "dl",
            "p",
            "span",
        )
    ):
        if element.getparent() is None:
            continue
        attrs = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in ("nav", "footer", "aside", "form") or (
            BOILERPLATE_ATTR.search(attrs) and not CONTENT_ATTR.search(attrs)
        ):
            if _prose_chars(element) < BOILERPLATE_MAX_CHARS or link_density(element) > 0.5:
                element.drop_tree()
        elif element.tag in ("ul", "ol", "dl", "div", "table") and link_density(element) > 0.6:
            if len(element.text_content()) < 2000:
                element.drop_tree()


def best_container(root: HtmlElement) -> HtmlElement:
    """The element whose paragraphs carry most of the page's prose."""
    scores: dict[HtmlElement, float] = {}
    for block in _text_blocks(root):
        text = _own_text(block)
        if len(text) < MIN_BLOCK_CHARS:
            continue
        points = 1 + len(PUNCTUATION.findall(text)) + min(len(text) / 50, 6)
        points *= 1 - min(link_density(block), 0.9)
        parent = (
            block if block.tag in ("td", "div", "font", "center", "body") else block.getparent()
        )
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + points
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + points / 2
    if not scores:
        return root
    for element in scores:
        attrs = f"{element.get('class', '')} {element.get('id', '')}"
        if CONTENT_ATTR.search(attrs):
            scores[element] *= 1.2
    return max(scores, key=lambda e: scores[e])


def container_lines(container: HtmlElement) -> list[str]:
    """The container's text as lines, split at block elements and ``<br>``."""
    pieces: list[str] = []
    _collect(container, pieces)
    lines = "".join(pieces).split("\n")
    return [" ".join(line.split()) for line in lines if line.strip()]


def clean_lines(lines: list[str], title: str) -> list[str]:
    """Drop boilerplate lines, repeated titles, and everything after a related-links heading."""
    kept: list[str] = []
    compact_title = _compact(title)
    for line in lines:
        if TRAILER_HEADING.match(line) and kept:
            break
        line = INLINE_JUNK.sub("", line).strip()
        if not line or BOILERPLATE_LINE.match(line):
            continue
        compact = _compact(line)
        if compact_title and (
            compact == compact_title or compact.strip("【】[]（）()") == compact_title
        ):
            continue
        kept.append(line)
    return _trim_edges(kept)


def link_density(element: HtmlElement) -> float:
    text_length = len(element.text_content().strip())
    if not text_length:
        return 0.0
    link_length = sum(len(a.text_content().strip()) for a in element.iter("a"))
    return min(1.0, link_length / text_length)


def _trim_edges(lines: list[str]) -> list[str]:
    """Short unpunctuated lines at the start and end are bylines, buttons and labels."""
    while lines and SHORT_LINE_NO_PUNCT.match(lines[0]):
        lines = lines[1:]
    while lines and SHORT_LINE_NO_PUNCT.match(lines[-1]):
        lines = lines[:-1]
    return lines


def _text_blocks(root: HtmlElement) -> list[HtmlElement]:
    blocks = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("p", "pre", "blockquote", "h2", "h3", "li"):
            blocks.append(element)
        elif element.tag in ("div", "td", "font", "span", "center", "body", "section", "article"):
            if (element.text or "").strip() or any(
                (child.tail or "").strip()
                for child in element
                if child.tag in ("br", "font", "b", "a", "span", "strong")
            ):
                blocks.append(element)
    return blocks


def _own_text(element: HtmlElement) -> str:
    """Text of the element excluding nested block elements (for div/td text runs)."""
    if element.tag in ("p", "pre", "blockquote", "h2", "h3", "li"):
        return element.text_content().strip()
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in BLOCK_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _collect(element: HtmlElement, pieces: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag in BLOCK_TAGS
    if block:
        pieces.append("\n")
    if tag == "br":
        pieces.append("\n")
    elif tag:
        pieces.append(element.text or "")
        for child in element:
            _collect(child, pieces)
    if block:
        pieces.append("\n")
    pieces.append(element.tail or "")


def _prose_chars(element: HtmlElement) -> int:
    text = element.text_content()
    return len(text) if len(PUNCTUATION.findall(text)) >= 3 else 0


def _compact(text: str) -> str:
    return "".join(text.split())
