"""Extraction: clean text and metadata from messy Chinese article pages.

``extract_article(html, url=..., options=...)`` is a pure function: decoded HTML
in, an ``Article`` out; it never raises on malformed or empty pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from lxml import etree
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector
from w3lib.encoding import html_to_unicode

from analysis.extract.body import (
    best_container,
    clean_lines,
    container_lines,
    remove_boilerplate_nodes,
)
from analysis.extract.meta import (
    find_author,
    find_canonical,
    find_outlet,
    find_published,
    find_title,
    json_ld,
    meta_tags,
)
from analysis.extract.patterns import DROP_TAGS
from analysis.model import Article

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, kw_only=True)
class ExtractOptions:
    """Per-site overrides (CSS, or XPath when starting with ``/`` or ``(``) and the clock."""

    title_selector: str | None = None
    body_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    now: datetime | None = None
    timezone: tzinfo = SHANGHAI

    def __post_init__(self) -> None:
        for name in ("title_selector", "body_selector", "date_selector", "author_selector"):
            selector = getattr(self, name)
            if selector is not None:
                compile_selector(selector, name)

    def clock(self) -> datetime:
        return self.now or datetime.now(self.timezone)


def compile_selector(selector: str, name: str = "selector") -> etree.XPath:
    """An XPath for a CSS or XPath selector; ValueError names the bad one."""
    try:
        if selector.lstrip().startswith(("/", "(")):
            return etree.XPath(selector)
        return CSSSelector(selector)
    except (etree.XPathSyntaxError, etree.XPathError, SyntaxError, ValueError) as error:
        raise ValueError(f"invalid {name} {selector!r}: {error}") from error


def decode_html(body: bytes, *, http_encoding: str | None = None) -> str:
    """Decode a page: HTTP header, then BOM/``<meta charset>``, then detection (GBK as GB18030)."""
    content_type = f"text/html; charset={http_encoding}" if http_encoding else None
    _, text = html_to_unicode(content_type, body, auto_detect_fun=detect_encoding)
    return text


def detect_encoding(body: bytes) -> str | None:
    """For pages that declare nothing: strict UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    for encoding in DETECTION_ORDER:
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


DETECTION_ORDER = ("utf-8", "gb18030", "big5")


def extract_article(
    html: str, *, url: str | None = None, options: ExtractOptions | None = None
) -> Article:
    """Title, main text, publish time, author, outlet and canonical URL of an article page."""
    options = options or ExtractOptions()
    root = _parse(html)
    if root is None:
        return Article(title="", text="", canonical_url=url)
    meta, linked = meta_tags(root), json_ld(root)
    for element in list(root.iter(*DROP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    title = _selected_text(root, options.title_selector) or find_title(root, meta)
    outlet = find_outlet(root, meta)
    canonical = find_canonical(root, meta, url)
    now = options.clock()
    # Dates and bylines often sit in header blocks that the body search drops: read them first.
    published = _selected_date(root, options, now) or find_published(
        root, meta, linked, url, "", now=now, tz=options.timezone, title=title
    )
    author = _selected_text(root, options.author_selector) or find_author(root, meta, "")
    text = _main_text(root, title, options)
    if published is None:
        published = find_published(
            root, meta, linked, None, text, now=now, tz=options.timezone, title=title
        )
    author = author or find_author(root, meta, text)
    return Article(
        title=title,
        text=text,
        published_at=published,
        author=author,
        outlet=outlet,
        canonical_url=canonical,
    )


def _parse(html: str) -> lxml_html.HtmlElement | None:
    if not html or not html.strip():
        return None
    try:
        root = lxml_html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def _main_text(root: lxml_html.HtmlElement, title: str, options: ExtractOptions) -> str:
    if options.body_selector:
        selected = compile_selector(options.body_selector)(root)
        if selected:
            lines = [line for el in selected for line in container_lines(el)]
            return "\n".join(clean_lines(lines, title))
    body = root.find("body")
    scope = body if body is not None else root
    remove_boilerplate_nodes(scope)
    return "\n".join(clean_lines(container_lines(best_container(scope)), title))


def _selected_text(root: lxml_html.HtmlElement, selector: str | None) -> str | None:
    if not selector:
        return None
    found = compile_selector(selector)(root)
    texts = [
        " ".join((f.text_content() if hasattr(f, "text_content") else str(f)).split())
        for f in found
    ]
    return next((t for t in texts if t), None)


def _selected_date(
    root: lxml_html.HtmlElement, options: ExtractOptions, now: datetime
) -> datetime | None:
    from analysis.dates import parse_datetime

    text = _selected_text(root, options.date_selector)
    return parse_datetime(text, now=now, tz=options.timezone) if text else None


__all__ = [
    "ExtractOptions",
    "compile_selector",
    "decode_html",
    "detect_encoding",
    "extract_article",
]
