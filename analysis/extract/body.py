"""Main text: find the element holding the article, then keep its clean lines.

The page is split into lines (see ``html.text_lines``). Each line gets a weight: prose
(Chinese characters outside links, with sentence punctuation) counts for it; link text,
boilerplate lines and text inside navigation/comment/share containers count against it.
An element's score is the sum over its lines, so the best element is the subtree with
the most prose and the least boilerplate (a maximum-subtree search, in the spirit of
CEPF/GNE text-density scoring). The lines of that element are then cleaned: boilerplate
lines go, and a "related articles" heading ends the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from analysis.extract.boilerplate import LAYOUT_TAGS, boilerplate_elements
from analysis.extract.html import HtmlElement, Line, compact
from analysis.extract.options import Tuning
from analysis.extract.patterns import (
    BOILERPLATE_LINE,
    COMMENT_HEADING,
    INLINE_JUNK,
    INLINE_JUNK_WORDS,
    META_LINE,
    PROMO_LINE,
    SENTENCE_END,
    SENTENCE_STOP,
    SHORT_LINE_NO_PUNCT,
    TRAILER_HEADING,
)

#: A text shorter than this is near-empty: the densest run of text may hold the article.
MIN_BODY_CHARS = 30
#: ... and replaces it when it is this many times longer.
FALLBACK_GAIN = 3
#: A line of the text whose links cover more than this share of it is a link, not prose.
MAX_LINK_RATIO = 0.8
#: Longest date/source line trimmed from the edges of the text.
MAX_META_LINE = 80
#: Longest promotion line (follow us, scan the code, no reprints) trimmed from the edges.
MAX_PROMO_LINE = 120
#: A post (of several on a blog or forum page) weighs at least this much.
MIN_POST_WEIGHT = 15
#: How far up from a line to look for the container of a post.
POST_DEPTH = 6
TIMESTAMP_RE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}:\d{2}")
#: A related-links heading ends the text only after this many characters of prose.
MIN_CHARS_BEFORE_TRAILER = 50


def line_weight(line: Line, boilerplate: bool, tuning: Tuning) -> float:
    """How much ``line`` speaks for its containers holding the article."""
    if line.link_ratio > 0.5:
        return -tuning.link_penalty * line.chars
    if boilerplate or BOILERPLATE_LINE.match(line.text):
        return -line.chars
    if line.punctuation == 0 and line.content < tuning.min_unpunctuated_chars:
        return -0.2 * line.chars
    return line.content * (1.0 if line.punctuation else 0.5) - tuning.link_penalty * line.link_chars


def plain_weight(line: Line, tuning: Tuning) -> float:
    """A line's weight when nothing on the page scored as prose: any unlinked text counts."""
    if line.link_ratio > 0.5 or BOILERPLATE_LINE.match(line.text):
        return -tuning.link_penalty * line.chars
    return line.content - tuning.link_penalty * line.link_chars


def best_run(weights: list[float]) -> tuple[int, int]:
    """``(start, end)`` of the contiguous lines with the largest total weight (Kadane)."""
    best_total, best = 0.0, (0, 0)
    total, start = 0.0, 0
    for index, weight in enumerate(weights):
        if total <= 0:
            total, start = 0.0, index
        total += weight
        if total > best_total:
            best_total, best = total, (start, index + 1)
    return best


def _signature(element: etree._Element) -> tuple[str, str] | None:
    cls = (element.get("class") or "").strip()
    return (element.tag, cls) if cls else None


def _posts(
    lines: list[Line], weights: list[float], start: int, end: int
) -> dict[tuple[str, str], dict[etree._Element, list[int]]]:
    """Lines of the run grouped by the classed containers (up to ``POST_DEPTH`` up) holding them."""
    groups: dict[tuple[str, str], dict[etree._Element, list[int]]] = {}
    # lines share their containers: each one's signature and parent are read once
    known: dict[etree._Element, tuple[tuple[str, str] | None, etree._Element | None]] = {}
    for index in range(start, end):
        if weights[index] <= 0:
            continue
        element: etree._Element | None = lines[index].owner
        for _ in range(POST_DEPTH):
            if element is None or element.tag in LAYOUT_TAGS:
                break
            if (seen := known.get(element)) is None:
                seen = known[element] = (_signature(element), element.getparent())
            signature, parent = seen
            if signature:
                groups.setdefault(signature, {}).setdefault(element, []).append(index)
            element = parent
    return groups


def first_post(lines: list[Line], weights: list[float], start: int, end: int) -> tuple[int, int]:
    """On blog and forum pages listing several posts, narrow the run to the first post.

    Posts are containers with the same tag and class, each with some prose, separated by
    a timestamp (which paragraphs are not), the first of them opening the run (which
    comments under an article do not).
    """
    for members in _posts(lines, weights, start, end).values():
        posts = sorted(
            (
                (idx, element)
                for element, idx in members.items()
                if sum(weights[i] for i in idx) >= MIN_POST_WEIGHT
            ),
            key=lambda post: post[0],
        )
        if len(posts) < 2 or posts[0][0][-1] >= posts[1][0][0]:
            continue
        (first, element), (second, _) = posts[0], posts[1]
        before = sum(w for w in weights[start : first[0]] if w > 0)
        gap = " ".join(line.text for line in lines[first[-1] + 1 : second[0]])
        if before < 0.2 * sum(weights[i] for i in first) and TIMESTAMP_RE.search(gap):
            return first[0], _post_end(lines, element, first[-1] + 1)
    return start, end


def _post_end(lines: list[Line], element: etree._Element, end: int) -> int:
    """Index after the last line inside ``element`` (signatures and post footers too)."""
    below = set(element.iter())
    while end < len(lines) and lines[end].owner in below:
        end += 1
    return end


def clean_lines(
    lines: Iterable[Line],
    title: str,
    flagged: set[etree._Element] | frozenset = frozenset(),
    *,
    trim: bool = True,
) -> list[str]:
    """Drop boilerplate and repeated titles; a related-links or comments heading
    ends the text. Lines of ``flagged`` containers (a menu or share bar the best run
    spans because prose surrounds it) go too. ``trim`` drops short labels and date lines
    at both ends (not when every line is short, as in verse).
    """
    kept: list[str] = []
    seen_chars = 0
    compact_title = compact(title)
    bracketed = (f"【{title}】", f"[{title}]")
    for line in lines:
        text = line.text
        if seen_chars >= MIN_CHARS_BEFORE_TRAILER and (
            TRAILER_HEADING.match(text) or COMMENT_HEADING.match(text)
        ):
            break
        if line.owner in flagged:
            continue
        if compact_title:
            for repeat in bracketed:
                text = text.replace(repeat, "")
        if any(word in text for word in INLINE_JUNK_WORDS):  # the regex backtracks a lot
            text = INLINE_JUNK.sub("", text)
        text = text.strip()
        if not text or BOILERPLATE_LINE.match(text) or _is_link_line(line):
            continue
        if compact_title and _is_title(text, compact_title):
            continue
        kept.append(text)
        seen_chars += line.chars
    return _trim_edges(kept) if trim else kept


def _is_title(text: str, compact_title: str) -> bool:
    """``text`` is the title, give or take spaces and brackets around it."""
    if compact_title[0] not in text or compact_title[-1] not in text:  # most lines: cheaply
        return False
    return compact(text).strip("【】[]（）()") == compact_title


def _is_link_line(line: Line) -> bool:
    return line.link_ratio > MAX_LINK_RATIO or (line.link_ratio > 0.5 and line.punctuation <= 1)


def _is_edge_junk(text: str) -> bool:
    """Labels, buttons, and date/source/author lines without a sentence in them."""
    if SHORT_LINE_NO_PUNCT.match(text):
        return True
    return (
        len(text) <= MAX_META_LINE
        and not SENTENCE_END.search(text)
        and bool(META_LINE.search(text))
    )


def _without_promo(text: str) -> str:
    """``text`` up to the sentence where the outlet's promotion (scan the QR code, follow
    the account, no reprints, back to the home page) starts; empty if it starts there."""
    match = PROMO_LINE.search(text) if len(text) <= MAX_PROMO_LINE else None
    if match is None:
        return text
    ends = [m.end() for m in SENTENCE_STOP.finditer(text, 0, match.start())]
    return text[: ends[-1]].strip() if ends else ""


def _trim_edges(lines: list[str]) -> list[str]:
    """Bylines, date lines, buttons, labels and promotion at the start and end go."""
    start, end = 0, len(lines)
    while start < end and (_is_edge_junk(lines[start]) or not _without_promo(lines[start])):
        start += 1
    while end > start and _is_edge_junk(lines[end - 1]):
        end -= 1
    kept = lines[start:end]
    while kept:
        last = _without_promo(kept[-1])
        if last == kept[-1]:
            break
        kept = kept[:-1] + [last] if last else _trim_edges(kept[:-1])
    return kept


@dataclass(frozen=True, slots=True)
class Body:
    """The article text and where its element's lines sit among the page's lines."""

    text: str
    start: int
    end: int
    #: Indices of lines inside navigation, search bars, footers and other boilerplate.
    noise: frozenset[int] = frozenset()


def _span(lines: list[Line], elements: Iterable[etree._Element]) -> tuple[int, int]:
    below = {el for element in elements for el in element.iter()}
    inside = [i for i, line in enumerate(lines) if line.owner in below]
    return (inside[0], inside[-1] + 1) if inside else (len(lines), len(lines))


def _selected_body(lines: list[Line], title: str, selected: list[etree._Element]) -> Body:
    start, end = _span(lines, selected)
    below = {el for element in selected for el in element.iter()}
    inside = [line for line in lines[start:end] if line.owner in below]
    return Body("\n".join(clean_lines(inside, title)), start, end)


def _densest_run(lines: list[Line], title: str, tuning: Tuning) -> Body:
    """The fallback when the scored search found no text: the run with the most unlinked
    text, whatever its containers are called or however it is punctuated."""
    start, end = best_run([plain_weight(line, tuning) for line in lines])
    kept = clean_lines(lines[start:end], title)
    if not kept:  # every line short and unpunctuated: verse, lists of items
        kept = clean_lines(lines[start:end], title, trim=False)
    return Body("\n".join(kept), start, end)


def find_body(
    root: HtmlElement,
    lines: list[Line],
    title: str,
    selected: list[etree._Element] | None = None,
    *,
    tuning: Tuning | None = None,
    description: str = "",
) -> Body:
    """The article text of a pruned page (paragraphs joined with ``\\n``) and its span.

    ``selected`` are elements picked by a per-site body selector; they win when given.
    A page whose scored search finds nothing or next to nothing (a short article in a
    box classed like a toolbar, verse or lists without sentence punctuation) falls back
    to the densest run of unlinked text, then to ``description`` (the page's meta
    description): a page with text never comes back empty.
    """
    tuning = tuning or Tuning()
    if not lines:
        return Body(description, 0, 0)
    if selected:
        return _selected_body(lines, title, selected)
    flagged = boilerplate_elements(root, lines, title, tuning)
    noise = frozenset(i for i, line in enumerate(lines) if line.owner in flagged)
    weights = [line_weight(line, i in noise, tuning) for i, line in enumerate(lines)]
    start, end = first_post(lines, weights, *best_run(weights))
    text = "\n".join(clean_lines(lines[start:end], title, flagged))
    if len(text) >= MIN_BODY_CHARS:
        return Body(text, start, end, noise)
    fallback = _densest_run(lines, title, tuning)
    if len(fallback.text) > FALLBACK_GAIN * len(text):
        return Body(fallback.text, fallback.start, fallback.end, noise)
    if text:
        return Body(text, start, end, noise)
    return Body(description, start, end, noise)
