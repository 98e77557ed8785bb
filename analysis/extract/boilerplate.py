"""Boilerplate containers: navigation, share bars, comment threads and teaser lists.

An element is boilerplate by its tag (``nav``, ``footer``, ``aside``), by its class or
id (``menu``, ``share``, ``comment`` ...), or by its shape: a run of three or more
sibling blocks of one class, each a few lines with little prose (a headline, a
one-line summary, a time), is a list of teasers for other stories, whatever it is
called. The article's own paragraphs are single lines, and the containers of the
title line are never boilerplate.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from analysis.extract.html import HtmlElement, Line, compact
from analysis.extract.options import Tuning
from analysis.extract.patterns import BOILERPLATE_ATTR, COMMENT_ATTR, CONTENT_ATTR

#: Elements too large to be judged by their class names.
LAYOUT_TAGS = frozenset(("html", "body", "main", "article", "form"))
CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
#: A teaser list has at least this many sibling blocks of one tag and class ...
MIN_TEASERS = 3
#: ... each of at least this many lines ...
MIN_TEASER_LINES = 2
#: ... and at most this much prose ...
MAX_TEASER_PROSE = 150
#: ... and all of them together at most this share of the page's prose.
MAX_TEASER_SHARE = 0.4


def attributes(element: etree._Element) -> str:
    """Class and id, with camelCase split (``dSearch`` -> ``d Search``); empty without both."""
    cls, ident = element.get("class"), element.get("id")
    if not cls and not ident:  # most elements: no words for the patterns to find
        return ""
    return CAMEL_RE.sub(" ", f"{cls or ''} {ident or ''}")


def _below(
    root: HtmlElement, lines: list[Line]
) -> tuple[dict[etree._Element, float], Counter[etree._Element]]:
    """Below every element: content characters of punctuated, link-poor lines (prose),
    and the number of lines, in one pass up the tree."""
    prose: dict[etree._Element, float] = {}
    counts: Counter[etree._Element] = Counter()
    for line in lines:
        counts[line.owner] += 1
        if line.punctuation and line.link_ratio < 0.5:
            prose[line.owner] = prose.get(line.owner, 0.0) + line.content
    for element in reversed(list(root.iter(etree.Element))):
        if element not in counts:
            continue
        parent = element.getparent()
        if parent is None:
            continue
        counts[parent] += counts[element]
        if element in prose:
            prose[parent] = prose.get(parent, 0.0) + prose[element]
    return prose, counts


def _title_ancestors(lines: list[Line], title: str) -> set[etree._Element]:
    """Containers of the first line showing the title: they hold the article."""
    key = compact(title)[:10]
    if not key:
        return set()
    for line in lines:
        if key in compact(line.text):
            return set(line.owner.iterancestors()) | {line.owner}
    return set()


def boilerplate_elements(
    root: HtmlElement, lines: list[Line], title: str, tuning: Tuning
) -> set[etree._Element]:
    """Elements inside navigation, footers, share bars, comments or related-link boxes.

    Class names lie (``share_area`` around a whole article): an element holding more
    than ``tuning.max_boilerplate_prose`` characters of prose is never boilerplate. Comment
    threads are prose too, so a comment container (``comment``, ``reply``, ``tie`` ...,
    even ``post_comment`` or ``detail-comment``) is boilerplate whatever its size, unless
    it holds the title line, as a page-wide wrapper would. Teaser lists go too
    (``teaser_blocks``).
    """
    prose, counts = _below(root, lines)
    holds_title = _title_ancestors(lines, title)
    flagged = teaser_blocks(root, prose, counts, holds_title)
    for element in root.iter(etree.Element):
        parent = element.getparent()
        if parent is not None and parent in flagged:
            flagged.add(element)
            continue
        if element.tag in LAYOUT_TAGS:
            continue
        attrs = attributes(element)
        if attrs and COMMENT_ATTR.search(attrs) and element not in holds_title:
            flagged.add(element)
            continue
        if prose.get(element, 0.0) > tuning.max_boilerplate_prose:
            continue
        if element.tag in ("nav", "footer", "aside") or (
            attrs and BOILERPLATE_ATTR.search(attrs) and not CONTENT_ATTR.search(attrs)
        ):
            flagged.add(element)
    return flagged


def teaser_blocks(
    root: HtmlElement,
    prose: dict[etree._Element, float],
    counts: Counter[etree._Element],
    holds_title: set[etree._Element],
) -> set[etree._Element]:
    """Sibling blocks of one tag and class that list other stories (see the module)."""
    total = prose.get(root, 0.0)
    found: set[etree._Element] = set()
    for parent in counts:
        if len(parent) < MIN_TEASERS or counts[parent] < MIN_TEASERS * MIN_TEASER_LINES:
            continue
        groups: dict[tuple[str, str], list[etree._Element]] = {}
        for child in parent:
            cls = child.get("class") if isinstance(child.tag, str) else None
            if cls and cls.strip():
                groups.setdefault((child.tag, cls.strip()), []).append(child)
        for members in groups.values():
            if (
                len(members) >= MIN_TEASERS
                and all(counts[m] >= MIN_TEASER_LINES for m in members)
                and all(prose.get(m, 0.0) <= MAX_TEASER_PROSE for m in members)
                and sum(prose.get(m, 0.0) for m in members) <= MAX_TEASER_SHARE * total
                and not holds_title.intersection(members)
            ):
                found.update(members)
    return found
