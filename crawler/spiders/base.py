"""What every hotwatch spider shares: sniffing feeds, sitemaps and list pages, and yielding pages.

A spider is built for one configured source (a dict from ``hotwatch.toml``) and
only parses: it yields ``PageItem``s and leaves extraction, analysis and storage
to the pipelines. Whatever a start URL turns out to be (RSS/Atom feed, sitemap,
HTML list page), it is recognised by its content and followed to articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.items import PageItem
from crawler.skips import NOT_HTML, TOO_LARGE, report_failure, report_skip
from crawler.sniff import binary_kind

NEXT_PAGE_TEXTS = {"下一页", "下页", "后页", "下一頁", "next", "next page", "›", "»", ">", ">>"}
ARTICLE_URL = re.compile(
    r"(/20\d{2}[-/_]?\d{2}[-/_]?\d{0,2}/|/t20\d{6}_|/(article|content|detail|news|a|doc)s?/"
    r"|\d{5,}|content_\d+|_\d{4,})",
    re.IGNORECASE,
)
PAGINATION_URL = re.compile(
    r"([?&](page|p|pn|pageno)=\d+|[_/-](index|list|page)?_?\d{1,3}\.s?html?$)"
)
MIN_TITLE_CHARS = 6
# Links to files, not pages (Scrapy's list), tested with one endswith per link: the link
# extractor's own test loops over the ~90 suffixes in Python, a third of its time.
FILE_SUFFIXES = tuple(f".{extension}" for extension in IGNORED_EXTENSIONS)


class SourceSpider(scrapy.Spider):
    """Base spider: one configured source, start URLs sniffed by content."""

    name = ""  # abstract: each source type names its own spider

    def __init__(
        self, source: dict[str, Any] | None = None, max_pages: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.source = dict(source or {})
        self.source_name = self.source.get("name") or self.name
        self.max_pages = int(max_pages or 0)
        self.tier = self.source.get("tier")
        self.selectors = dict(self.source.get("selectors") or {})
        self.article_patterns = [re.compile(p) for p in self.source.get("link_patterns") or []]
        self.allowed_domains = list(self.source.get("allowed_domains") or self._start_hosts())
        self.max_list_pages = int(self.source.get("max_list_pages") or 50)
        self.errors: list[str] = []
        self.article_requests = 0
        self.link_extractor = LinkExtractor(unique=True, deny_extensions=())
        # Links list pages already turned into requests. List pages repeat their pager
        # and navigation on every page (the bench site's 100 pages each link all 100),
        # so most links are requests Scrapy's duplicate filter drops, each after its way
        # through the spider middlewares and a fingerprint: 82% of a crawl's requests.
        # None with a shared frontier, whose filter forgets list pages at each seeding.
        self.followed_links: set[str] | None = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.get("HOTWATCH_FRONTIER_URL"):
            spider.followed_links = None
        return spider

    # -- start ---------------------------------------------------------------------

    def start_urls_for_source(self) -> list[str]:
        return list(self.source.get("start_urls") or [])

    async def start(self) -> Any:
        for url in self.start_urls_for_source():
            yield scrapy.Request(
                url, callback=self.parse_start, errback=self.on_error, meta={"list_depth": 0}
            )

    def parse_start(self, response: Response) -> Iterator[Any]:
        body = self._body(response)
        if body is None:
            return
        head = body[:2048].lower()
        kind = binary_kind(body)
        if kind:
            self._skip(response, NOT_HTML, kind)
        elif response.url.endswith("/robots.txt"):
            yield from self._follow_sitemaps(sitemap_urls_from_robots(response.text, response.url))
        elif b"<urlset" in head or b"<sitemapindex" in head:
            yield from self.parse_sitemap(response)
        elif b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
            yield from self.parse_feed(response)
        elif isinstance(response, TextResponse):
            yield from self.parse_listing(response)
        else:
            self._skip(response, NOT_HTML, "start URL is neither a feed, a sitemap nor a page")

    # -- feeds and sitemaps ----------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Any]:
        body = self._body(response)
        if body is None:
            return
        selector = scrapy.Selector(text=body.decode("utf-8", "replace"), type="xml")
        selector.remove_namespaces()
        for entry in selector.xpath("//item | //entry"):
            link = (
                entry.xpath("link/text()").get()
                or entry.xpath("link[not(@rel) or @rel='alternate']/@href").get()
            )
            if link:
                yield self.article_request(
                    response.urljoin(link.strip()),
                    feed_title=_clean(entry.xpath("title/text()").get()),
                    feed_published=_clean(
                        entry.xpath("pubDate/text() | published/text() | updated/text()").get()
                    ),
                )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        body = self._body(response)
        if body is None:
            return
        sitemap = Sitemap(body)
        if sitemap.type == "sitemapindex":
            yield from self._follow_sitemaps(response.urljoin(e["loc"]) for e in sitemap)
            return
        for entry in sitemap:
            url = response.urljoin(entry.get("loc", "").strip())
            if url and self._wanted_article(url):
                yield self.article_request(url, feed_published=entry.get("lastmod"))

    def _follow_sitemaps(self, urls: Any) -> Iterator[Any]:
        for url in urls:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)

    # -- list pages ------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse) or binary_kind(response.body):
            self._skip(response, NOT_HTML, binary_kind(response.body) or _content_type(response))
            return
        depth = int(response.meta.get("list_depth", 0))
        followed = self.followed_links
        for link in self.link_extractor.extract_links(response):
            if followed is not None and link.url in followed:
                continue  # requested from another list page: a duplicate
            parts = urlparse(link.url)
            if not self._allows_host(parts.hostname) or parts.path.lower().endswith(FILE_SUFFIXES):
                continue
            request = None
            if self._is_next_page(link):
                if depth + 1 < self.max_list_pages:
                    request = response.follow(
                        link.url,
                        callback=self.parse_listing,
                        errback=self.on_error,
                        meta={"list_depth": depth + 1},
                    )
            elif self._looks_like_article(link, parts.path):
                request = self.article_request(link.url, feed_title=_clean(link.text))
            if request is not None:
                if followed is not None:
                    followed.add(link.url)
                yield request

    def allows(self, url: str) -> bool:
        """Same test as Scrapy's offsite filter, on the host alone (ports do not matter)."""
        return self._allows_host(urlparse(url).hostname)

    def _allows_host(self, host: str | None) -> bool:
        host = host or ""
        return not self.allowed_domains or any(
            host == domain or host.endswith("." + domain) for domain in self.allowed_domains
        )

    def _is_next_page(self, link: Any) -> bool:
        text = (link.text or "").strip().lower()
        return text in NEXT_PAGE_TEXTS or (text.isdigit() and bool(PAGINATION_URL.search(link.url)))

    def _looks_like_article(self, link: Any, path: str) -> bool:
        if self.article_patterns:
            return self._wanted_article(link.url)
        title_chars = len((link.text or "").strip())
        return title_chars >= MIN_TITLE_CHARS and bool(ARTICLE_URL.search(path))

    def _wanted_article(self, url: str) -> bool:
        return not self.article_patterns or any(p.search(url) for p in self.article_patterns)

    # -- articles ---------------------------------------------------------------------

    def article_request(self, url: str, **hints: str | None) -> scrapy.Request | None:
        if self.max_pages and self.article_requests >= self.max_pages:
            return None
        self.article_requests += 1
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={"hotwatch_article": True, **hints},
        )

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        """An article page, as bytes: the pipelines decode it (the declared charset may lie)."""
        kind = binary_kind(response.body)
        if kind or not _is_html(response):
            declared = _content_type(response) or "no Content-Type"
            self._skip(response, NOT_HTML, f"{kind} served as {declared}" if kind else declared)
            return
        self.crawler.stats.inc_value(f"hotwatch/{self.source_name}/fetched")
        yield PageItem(
            url=response.url,
            body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            source=self.source_name,
            fetched_at=datetime.now(UTC),
            tier=self.tier,
            selectors=self.selectors,
            feed_title=response.meta.get("feed_title"),
            feed_published=response.meta.get("feed_published"),
            aliases=[*response.meta.get("redirect_urls", [])],
        )

    # -- failures -----------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        """Every failed request is reported with its reason (skips and failures alike)."""
        failed = report_failure(self.crawler, self.source_name, failure)
        if failed is not None:
            url, reason = failed
            self.errors.append(f"{url}: {reason}")
            self.logger.warning("%s: %s", url, reason)

    def _skip(self, response: Response, reason: str, detail: str = "") -> None:
        report_skip(self.crawler, self.source_name, response.url, reason, detail)
        self.logger.info("skipped %s: %s %s", response.url, reason, detail)

    def _body(self, response: Response) -> bytes | None:
        """The body, gunzipped if it is a ``.gz`` file (within the size limit), else None."""
        body = response.body
        if body[:2] != b"\x1f\x8b":
            return body
        limit = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        try:
            return gunzip(body, max_size=limit)
        except ValueError:  # Scrapy's "decompressed size over max_size"
            self._skip(response, TOO_LARGE, f"gzip file larger than {limit} bytes unpacked")
        except OSError as error:
            self._skip(response, NOT_HTML, f"broken gzip file ({error})")
        return None

    def _start_hosts(self) -> list[str]:
        return sorted({urlparse(u).hostname or "" for u in self.start_urls_for_source()} - {""})


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0].strip()


def _is_html(response: Response) -> bool:
    content_type = _content_type(response)
    return not content_type or "html" in content_type or content_type == "text/plain"


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None
