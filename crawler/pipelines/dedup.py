from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from crawler.items import PageItem, PostItem
from crawler.urls import article_url


class DedupPipeline:
    """Give every page of one article the same document URL, and keep the URLs it came by.

    URL variants (tracking parameters, mobile hosts, ``index.html``, the page's
    canonical link) map to one URL through ``article_url``; a page of the same site
    with exactly the title and text of one seen earlier in this crawl (a re-serve under another
    path) takes that page's URL. The page is still stored: the store merges it into the
    one document and adds its URLs to ``urls``. Reposts on other sites stay separate.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.seen_urls: set[str] = set()
        self.seen_texts: dict[tuple[str, str], str] = {}  # (site, text digest) -> URL

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: PageItem | PostItem) -> PageItem | PostItem:
        if isinstance(item, PostItem):
            return item
        fetched = [*item.aliases, item.url]
        url = article_url(item.article.canonical_url or item.url)
        content = f"{item.article.title}\n{item.article.text}".encode()
        key = (_site(url), hashlib.sha1(content).hexdigest())
        url = self.seen_texts.setdefault(key, url)
        if url in self.seen_urls:
            self.crawler.stats.inc_value(f"hotwatch/{item.source}/duplicates")
        self.seen_urls.add(url)
        item.document_url = url
        item.urls = list(dict.fromkeys([url, *fetched]))
        return item


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
