"""Metadata: title, publish time, author, outlet and canonical URL."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from urllib.parse import urljoin

from lxml import html as lxml_html

from analysis.dates import date_from_url, find_dates_in_text, parse_datetime
from analysis.extract.patterns import (
    AUTHOR_LABEL,
    DATE_ATTR,
    DATE_LABEL,
    EDITOR_LABEL,
    META_AUTHOR_KEYS,
    META_DATE_KEYS,
    META_OUTLET_KEYS,
    OUTLET_LABEL,
    TITLE_SEPARATORS,
)

HtmlElement = lxml_html.HtmlElement
MIN_TITLE_SEGMENT = 4
HEAD_CHARS = 3000
NEAR_TITLE_CHARS = 300


def meta_tags(root: HtmlElement) -> dict[str, str]:
    """``<meta name|property|itemprop=... content=...>`` by lower-cased key (first wins)."""
    tags: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = (meta.get("content") or "").strip()
        if key and content:
            tags.setdefault(key.strip().lower(), content)
    return tags


def json_ld(root: HtmlElement) -> dict[str, object]:
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data])
        for item in items:
            if isinstance(item, dict) and ("datePublished" in item or "headline" in item):
                return item
    return {}


def find_title(root: HtmlElement, meta: dict[str, str]) -> str:
    """The headline, without the site name that ``<title>`` usually appends."""
    page_title = _text(root.find(".//title"))
    headings = [_text(h) for h in root.iter("h1", "h2")][:6]
    og_title = meta.get("og:title", "")
    for heading in headings:
        if len(heading) >= MIN_TITLE_SEGMENT and heading in page_title:
            return heading
    if og_title and (not page_title or og_title in page_title):
        return strip_site_name(og_title)
    stripped = strip_site_name(page_title)
    for heading in headings:
        if heading and len(heading) >= MIN_TITLE_SEGMENT and stripped and stripped in heading:
            return heading
    return stripped or (headings[0] if headings else "") or strip_site_name(og_title)


def strip_site_name(title: str) -> str:
    """``新乡12345热线接线员骂人_新浪新闻`` -> ``新乡12345热线接线员骂人``."""
    segments = [s.strip() for s in TITLE_SEPARATORS.split(title.strip()) if s and s.strip()]
    if not segments:
        return ""
    longest = max(segments, key=len)
    first = segments[0]
    return first if len(first) >= MIN_TITLE_SEGMENT and len(first) * 2 >= len(longest) else longest


def find_published(
    root: HtmlElement,
    meta: dict[str, str],
    linked: dict[str, object],
    url: str | None,
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    title: str = "",
) -> datetime | None:
    """Publish time from metadata, date-like nodes, labels, the URL, then the text."""
    candidates = [meta.get(key) for key in META_DATE_KEYS]
    candidates.append(str(linked.get("datePublished") or ""))
    candidates += [t.get("datetime") for t in root.iter("time")]
    for candidate in candidates:
        if candidate and (moment := parse_datetime(candidate, now=now, tz=tz)):
            return moment
    nodes = _date_nodes(root)
    page = root.text_content()
    head = page[:HEAD_CHARS]
    labelled = [head[m.end() : m.end() + 40] for m in DATE_LABEL.finditer(head)]
    if title and (at := page.find(title)) >= 0:
        labelled.append(page[at + len(title) : at + len(title) + NEAR_TITLE_CHARS])
    # Dates that name their year first; 04-25 or 昨天 only when nothing better is written.
    for absolute in (True, False):
        for snippet in labelled + nodes:
            if found := find_dates_in_text(snippet, now=now, tz=tz, absolute=absolute):
                return found[0]
        if absolute and url and (from_url := date_from_url(url, tz=tz)):
            return from_url
    for snippet in (head, text[:500], text[-300:]):
        if found := find_dates_in_text(snippet, now=now, tz=tz, absolute=True):
            return found[0]
    return None


def find_author(root: HtmlElement, meta: dict[str, str], text: str) -> str | None:
    for key in META_AUTHOR_KEYS:
        value = meta.get(key, "")
        if value and not value.startswith("http") and len(value) <= 30:
            return value.strip()
    for source in (_info_text(root), text[:300], text[-300:]):
        if match := AUTHOR_LABEL.search(source):
            return _clean_name(match.group(1))
    for source in (_info_text(root), text[-300:]):
        if match := EDITOR_LABEL.search(source):
            return _clean_name(match.group(1))
    return None


def find_outlet(root: HtmlElement, meta: dict[str, str]) -> str | None:
    info = _info_text(root)
    if match := OUTLET_LABEL.search(info):
        return match.group(1).strip("：:，,。")
    for key in META_OUTLET_KEYS:
        if value := meta.get(key):
            return value.strip()
    return None


def find_canonical(root: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return _absolute(link.get("href", ""), url)
    if meta.get("og:url"):
        return _absolute(meta["og:url"], url)
    return url


def _absolute(href: str, base: str | None) -> str | None:
    href = href.strip()
    resolved = urljoin(base, href) if base else href
    return resolved if resolved.startswith(("http://", "https://", "file://")) else base


def _date_nodes(root: HtmlElement) -> list[str]:
    texts = []
    for element in root.iter("span", "div", "p", "em", "i", "small", "font", "td", "li"):
        attrs = f"{element.get('class', '')} {element.get('id', '')}"
        if DATE_ATTR.search(attrs):
            content = element.text_content().strip()
            if 6 <= len(content) <= 200:
                texts.append(content)
        if len(texts) >= 20:
            break
    return texts


def _info_text(root: HtmlElement) -> str:
    return " ".join(_date_nodes(root)) or root.text_content()[:HEAD_CHARS]


def _clean_name(name: str) -> str:
    return " ".join(name.replace("，", "、").replace(",", "、").split())


def _text(element: HtmlElement | None) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""
