from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem


class DedupPipeline:
    """Drop a page whose canonical URL was already seen in this crawl (one article, two URLs)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        canonical = item.article.canonical_url or item.url
        if canonical in self.seen:
            self.crawler.stats.inc_value(f"hotwatch/{item.source}/duplicates")
            raise DropItem(f"{item.url} repeats {canonical}")
        self.seen.add(canonical)
        return item
