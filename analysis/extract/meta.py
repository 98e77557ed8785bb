"""Page metadata: ``<meta>`` tags, JSON-LD and the canonical URL."""

from __future__ import annotations

import json
from urllib.parse import urljoin

from analysis.extract.html import HtmlElement

#: JSON-LD types that describe an article.
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "WebPage")


def meta_tags(root: HtmlElement) -> dict[str, str]:
    """``<meta name|property|itemprop|http-equiv=… content=…>`` by lower-cased key, first wins."""
    tags: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = " ".join((meta.get("content") or "").split())
        if key and content:
            tags.setdefault(key.strip().lower(), content)
    return tags


def _ld_items(data: object) -> list[dict[str, object]]:
    """The objects of a JSON-LD document, ``@graph`` and lists flattened one level."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [i for i in graph if isinstance(i, dict)] if isinstance(graph, list) else [data]
    return []


def json_ld(root: HtmlElement) -> dict[str, object]:
    """The first JSON-LD object that has a headline or a publish date (empty if none)."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _ld_items(data):
            if "datePublished" in item or "headline" in item:
                return item
    return {}


def ld_text(linked: dict[str, object], key: str) -> str:
    """A JSON-LD field as text; for persons and organisations, their ``name``."""
    value = linked.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def find_canonical(root: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    """``<link rel=canonical>`` or ``og:url`` resolved against ``url``; else ``url`` itself."""
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and (link.get("href") or "").strip():
            return _absolute(link.get("href", ""), url)
    if meta.get("og:url"):
        return _absolute(meta["og:url"], url)
    return url


def _absolute(href: str, base: str | None) -> str | None:
    resolved = urljoin(base, href.strip()) if base else href.strip()
    return resolved if resolved.startswith(("http://", "https://")) else base
