"""Publish time: metadata first, then the page header, the URL and the text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from itertools import islice

from lxml import etree

from analysis.dates import date_from_url, find_dates_in_text, parse_datetime, parse_month
from analysis.extract.body import Body
from analysis.extract.html import HtmlElement, Line, element_text
from analysis.extract.meta import ld_text
from analysis.extract.patterns import DATE_ATTR, DATE_LABEL, META_DATE_KEYS, SENTENCE_END
from analysis.extract.regions import header_lines

#: What directly follows a date label: a number or a day word.
LABEL_VALUE_RE = re.compile(r"\s*[:：]?\s*(?:\d|今天|昨天|前天|刚刚)")
#: Lines at the start of the article searched when nothing better is found.
LEAD_LINES = 8
#: How far up from a line to look for a class/id that says "date".
ATTR_DEPTH = 3
#: How many elements inside a line's block are checked for a class/id that says "date".
INLINE_CHECKED = 12
#: Longest dated line whose relative date (3小时前, 昨天, 04-25 10:21) is read as the
#: publish time; longer lines and lines with sentence punctuation are prose.
MAX_RELATIVE_LINE = 60


def _metadata_date(
    root: HtmlElement, meta: dict[str, str], linked: dict[str, object], now: datetime, tz: tzinfo
) -> datetime | None:
    candidates = [meta.get(key) for key in META_DATE_KEYS]
    candidates.insert(len(candidates) - 3, ld_text(linked, "datePublished"))
    candidates += [t.get("datetime") for t in root.iter("time")]
    for candidate in candidates:
        if candidate and (moment := parse_datetime(candidate, now=now, tz=tz)):
            return moment
    # A <time> without a datetime attribute may sit under any comment: its text counts
    # only when it names a year, never as 3小时前 read against today.
    texts = (element_text(t) for t in root.iter("time") if not t.get("datetime"))
    return _first(texts, now, tz, absolute=True)


def _with_time(moment: datetime, texts: list[str], now: datetime, tz: tzinfo) -> datetime:
    """A date-only metadata value, completed by a time shown for that day in the header."""
    if (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        return moment
    for text in texts:
        for found in find_dates_in_text(text, now=now, tz=tz, absolute=True):
            if found.date() == moment.date():
                return found
    return moment


def _date_attr(element: etree._Element) -> bool:
    return bool(DATE_ATTR.search(f"{element.get('class') or ''} {element.get('id') or ''}"))


def _has_date_attr(element: etree._Element) -> bool:
    """The line's block, a block around it, or an inline element in it says "date"."""
    current: etree._Element | None = element
    for _ in range(ATTR_DEPTH):
        if current is None:
            break
        if _date_attr(current):
            return True
        current = current.getparent()
    inline = (el for el in element.iterdescendants() if isinstance(el.tag, str))
    return any(_date_attr(el) or el.tag == "time" for el in islice(inline, INLINE_CHECKED))


def _first(texts: Iterable[str], now: datetime, tz: tzinfo, absolute: bool) -> datetime | None:
    for text in texts:
        if found := find_dates_in_text(text, now=now, tz=tz, absolute=absolute):
            return found[0]
    return None


def _labelled(lines: Iterable[Line]) -> list[str]:
    return [
        line.text[match.end() : match.end() + 40]
        for line in lines
        for match in DATE_LABEL.finditer(line.text)
        if LABEL_VALUE_RE.match(line.text, match.end())
    ]


def _meta_line(text: str) -> bool:
    return len(text) <= MAX_RELATIVE_LINE and not SENTENCE_END.search(text)


def find_published(
    root: HtmlElement,
    meta: dict[str, str],
    linked: dict[str, object],
    url: str | None,
    lines: list[Line],
    body: Body,
    *,
    title: str,
    now: datetime,
    tz: tzinfo,
) -> datetime | None:
    """Metadata, then dated nodes near the title, labels, the URL, then the text.

    Never invented: a date relative to ``now`` (``3小时前``, ``今天``, ``04-25 10:21``)
    counts only as the value of a date label or a short dated node of the header, not
    from prose (``今天凌晨，三星发布...``) or comments. Without a date, None.
    """
    header = header_lines(lines, body, title)
    near = [line.text for line in header if _has_date_attr(line.owner)]
    labelled = _labelled(header)
    if moment := _metadata_date(root, meta, linked, now, tz):
        return _with_time(moment, labelled + near + [line.text for line in header], now, tz)
    everything = labelled + near + [line.text for line in header]
    if moment := _first(everything, now, tz, absolute=True):
        return moment
    relative = labelled + [text for text in near if _meta_line(text)]
    if moment := _first(relative, now, tz, absolute=False):
        return moment
    if moment := date_from_url(url, now=now, tz=tz):
        return moment
    outside = [line for i, line in enumerate(lines) if i not in body.noise]
    article = lines[body.start : body.end]
    after = lines[body.end : body.end + 3]
    page_labels = _labelled(outside[: body.start]) + _labelled(article) + _labelled(after)
    texts = [line.text for line in article[:LEAD_LINES] + article[-5:] + after]
    if moment := _first(page_labels + texts, now, tz, absolute=True):
        return moment
    tail = [line.text for line in article[-3:] + lines[body.end : body.end + 3]]
    return next((m for text in tail if (m := parse_month(text, now=now, tz=tz))), None)
