"""The headline, without the site name that ``<title>`` appends."""

from __future__ import annotations

import re

from analysis.extract.html import HtmlElement, compact, element_text
from analysis.extract.meta import ld_text
from analysis.extract.patterns import TITLE_SEPARATORS

MIN_TITLE_CHARS = 4
MAX_HEADINGS = 8
#: ``【…】`` or ``[…]`` anywhere in a title.
BRACKETED_RE = re.compile(r"[【\[](?P<inner>[^】\]]{2,60})[】\]]")


def strip_site_name(title: str) -> str:
    """``新乡12345热线接线员骂人_凤凰网资讯_凤凰网`` -> ``新乡12345热线接线员骂人``.

    The first segment wins unless it is under a third of the longest one (then it is a
    channel name in front, as in ``新闻中心 - 标题``).
    """
    segments = [s.strip() for s in TITLE_SEPARATORS.split(title.strip()) if s and s.strip()]
    if not segments:
        return ""
    longest = max(segments, key=len)
    first = segments[0]
    return first if len(first) * 3 >= len(longest) else longest


def strip_bracketed_repeat(title: str) -> str:
    """Drop a ``【…】`` part that repeats the rest of the title."""
    for match in BRACKETED_RE.finditer(title):
        rest = compact(title[: match.start()] + title[match.end() :])
        inner = compact(match.group("inner"))
        if rest and (inner in rest or rest in inner):
            return " ".join((title[: match.start()] + title[match.end() :]).split())
    return title


def _headings(root: HtmlElement) -> list[str]:
    texts = (element_text(h) for h in root.iter("h1", "h2"))
    return [t for t in texts if len(t) >= MIN_TITLE_CHARS][:MAX_HEADINGS]


def find_title(root: HtmlElement, meta: dict[str, str], linked: dict[str, object]) -> str:
    """og:title or a heading agreeing with ``<title>``; else the stripped ``<title>``."""
    page_title = element_text(root.find(".//title"))
    headings = _headings(root)
    for heading in headings:
        if heading in page_title:
            return strip_bracketed_repeat(heading)
    social = meta.get("og:title") or meta.get("twitter:title") or ld_text(linked, "headline")
    if social and (not page_title or social in page_title or page_title in social):
        return strip_bracketed_repeat(strip_site_name(social))
    stripped = strip_site_name(page_title)
    for heading in headings:
        if stripped and stripped in heading:
            return strip_bracketed_repeat(heading)
    best = stripped or strip_site_name(social) or (headings[0] if headings else "")
    return strip_bracketed_repeat(best)
