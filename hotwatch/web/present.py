"""Turning stored values into safe page pieces: highlights, links, badges, wording.

Crawled content is untrusted. Everything here returns plain strings (escaped
later by Jinja's autoescape) except ``highlight``, which escapes each piece of
the snippet itself before wrapping the highlighted spans in ``<mark>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from analysis.risk import LEVEL_NAMES
from analysis.sentiment.bands import negativity_band
from index import StoredDocument
from reports.formatting import (
    CATEGORY_NAMES,
    TIER_NAMES,
    category_name,
    level_label,
    reason_zh,
    region_text,
    regions_text,
    safe_url,
    when,
)

#: Words that mark an official response to an incident (a 通报, an apology, a suspension).
OFFICIAL_TERMS = ("通报", "致歉", "回应", "处理结果", "停职")


def highlight(snippet: str, spans: Sequence[Sequence[int]]) -> Markup:
    """The snippet with ``<mark>`` around each highlighted span; every piece escaped.

    Spans are character offsets; out-of-range or overlapping spans are clipped, so
    a bad offset can shift a highlight but never let content through unescaped.
    """
    out: list[str] = []
    last = 0
    for raw_start, raw_end in sorted((int(a), int(b)) for a, b in spans):
        start = min(max(raw_start, last), len(snippet))
        end = min(max(raw_end, start), len(snippet))
        if end <= start:
            continue
        out.append(str(escape(snippet[last:start])))
        out.append(f"<mark>{escape(snippet[start:end])}</mark>")
        last = end
    out.append(str(escape(snippet[last:])))
    return Markup("".join(out))


def official_terms(doc: StoredDocument) -> list[str]:
    """The official-response words in a document's title or text."""
    haystack = f"{doc.title}\n{doc.text}"
    return [term for term in OFFICIAL_TERMS if term in haystack]


BAND_CLASSES = {"负面": "neg-high", "中性": "neg-mid", "正面": "neg-low"}


def negativity_class(value: float) -> str:
    return BAND_CLASSES[negativity_band(value)]


def negativity_label(value: float) -> str:
    """``负面（0.90）``: the band everyone uses, then the score it comes from."""
    return f"{negativity_band(value)}（{value:.2f}）"


def tier_name(tier: int | None) -> str:
    return TIER_NAMES.get(tier, "未分级") if tier is not None else "未分级"


def outlet_name(doc: StoredDocument) -> str:
    return doc.outlet or doc.domain or doc.source or "来源不详"


def local_time(moment: datetime | None) -> str:
    return when(moment, with_year=True)


def document_time(doc: StoredDocument) -> str:
    """A document's publish time; a page that shows none says so and when it was fetched,
    never passing the fetch time off as the publish time."""
    if doc.published_at is not None:
        return local_time(doc.published_at)
    return f"发布时间不详（抓取于 {local_time(doc.fetched_at)}）"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def query_string(args: Mapping[str, str] | MultiDict[str, str]) -> str:
    """``a=1&b=2&b=3`` for URL parameters (every value of a ``MultiDict``), URL-encoded."""
    items = args.items(multi=True) if isinstance(args, MultiDict) else args.items()
    return urlencode(list(items))


def register(env: Environment) -> None:
    """Filters and globals for the templates."""
    env.filters.update(
        highlight=highlight,
        safe_url=safe_url,
        when=local_time,
        document_time=document_time,
        short_when=when,
        level_label=level_label,
        level_name=lambda level: LEVEL_NAMES.get(level, level),
        reason_zh=reason_zh,
        category_name=category_name,
        region_text=region_text,
        regions_text=regions_text,
        negativity_class=negativity_class,
        negativity_label=negativity_label,
        tier_name=tier_name,
        outlet_name=outlet_name,
        percent=percent,
        query_string=query_string,
    )
    env.globals.update(CATEGORY_NAMES=CATEGORY_NAMES)
