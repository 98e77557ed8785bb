"""Extraction: clean text and metadata from messy Chinese article pages.

``extract_article(html, url=..., options=...)`` is a pure function: decoded HTML in, an
``Article`` out. It never raises on malformed or empty pages; it returns an ``Article``
with empty text instead. ``decode_html``/``decode_page`` turn page bytes into that HTML string.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from analysis.dates import parse_datetime
from analysis.extract.body import find_body
from analysis.extract.byline import find_author, find_outlet
from analysis.extract.decode import decode_html, decode_page
from analysis.extract.html import (
    HtmlElement,
    element_text,
    parse_html,
    prune,
    text_lines,
)
from analysis.extract.meta import find_canonical, json_ld, meta_tags
from analysis.extract.options import ExtractOptions, Tuning, compile_selector
from analysis.extract.published import find_published
from analysis.extract.title import find_title
from analysis.model import Article

#: What a broken page can make lxml raise (UnicodeError is a ValueError); anything else is a bug.
_PAGE_ERRORS = (ValueError, RecursionError, etree.LxmlError)


def extract_article(
    html: str, *, url: str | None = None, options: ExtractOptions | None = None
) -> Article:
    """Title, main text, publish time, author, outlet and canonical URL of an article page."""
    options = options or ExtractOptions()
    root = parse_html(html)
    if root is None:
        return Article(title="", text="", canonical_url=url)
    try:
        return _extract(root, url, options)
    except _PAGE_ERRORS:
        return Article(title="", text="", canonical_url=url)


def _extract(root: HtmlElement, url: str | None, options: ExtractOptions) -> Article:
    meta, linked = meta_tags(root), json_ld(root)
    canonical = find_canonical(root, meta, url)
    title = _first_text(options.select(root, "title_selector")) or find_title(root, meta, linked)
    prune(root)
    lines = text_lines(root)
    selected = [el for el in options.select(root, "body_selector") if not isinstance(el, str)]
    description = meta.get("description") or meta.get("og:description") or ""
    body = find_body(
        root, lines, title, selected, tuning=options.tuning, description=description.strip()
    )
    now = options.clock()
    published = _selected_date(root, options, now) or find_published(
        root, meta, linked, url, lines, body, title=title, now=now, tz=options.timezone
    )
    author = _first_text(options.select(root, "author_selector")) or find_author(
        lines, body, meta, linked, title
    )
    return Article(
        title=title,
        text=body.text,
        published_at=published,
        author=author or None,
        outlet=find_outlet(lines, body, meta, title),
        canonical_url=canonical,
    )


def _first_text(found: list[HtmlElement | str]) -> str:
    texts = (item.strip() if isinstance(item, str) else element_text(item) for item in found)
    return next((" ".join(t.split()) for t in texts if t), "")


def _selected_date(root: HtmlElement, options: ExtractOptions, now: datetime) -> datetime | None:
    text = _first_text(options.select(root, "date_selector"))
    return parse_datetime(text, now=now, tz=options.timezone) if text else None


__all__ = [
    "ExtractOptions",
    "Tuning",
    "compile_selector",
    "decode_html",
    "decode_page",
    "extract_article",
]
