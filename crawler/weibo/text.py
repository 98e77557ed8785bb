"""A post's HTML (``mblog.text``, ``longTextContent``) as plain text, and a title from it.

Link texts stay (``#话题#`` hashtags, ``@mentions``, ``网页链接``), emoji images become
their ``alt`` text (``[怒]``), other images go, ``<br>`` becomes a newline, and the
``全文`` link that ends a truncated post is dropped.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

SENTENCE_END = re.compile(r"[。！？!?]")
SPACES = re.compile(r"[ \t\u00a0\u3000]+")
TRUNCATION = re.compile(r"\s*(\.\.\.|…)$")
MAX_TITLE_CHARS = 60
MORE_LINK_TEXT = "全文"


def html_to_text(html: str | None) -> str:
    """The visible text of a post, one line per ``<br>``, spaces collapsed."""
    if not html or not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments and processing instructions
            element.drop_tree()
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
            element.drop_tree()
        elif element.tag == "img":
            element.tail = (element.get("alt") or "") + (element.tail or "")
            element.drop_tree()
        elif element.tag == "a" and _is_more_link(element):
            element.tail = None
            element.drop_tree()
    text = etree.tostring(root, method="text", encoding="unicode")
    lines = [SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(lines).strip()


def is_truncated(text: str) -> bool:
    """Whether plain text still ends with the ``...`` of a cut-off long post."""
    return bool(TRUNCATION.search(text))


def title_from_text(text: str) -> str:
    """The first sentence of the first non-empty line, at most ``MAX_TITLE_CHARS`` long."""
    line = next((line for line in text.splitlines() if line.strip()), "").strip()
    end = SENTENCE_END.search(line)
    if end and end.end() >= 6:  # not a lone "啊！" before the real content
        line = line[: end.end()]
    if len(line) > MAX_TITLE_CHARS:
        line = line[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return line


def _is_more_link(element: lxml.html.HtmlElement) -> bool:
    href = element.get("href") or ""
    return element.text_content().strip() == MORE_LINK_TEXT and "/status/" in href
