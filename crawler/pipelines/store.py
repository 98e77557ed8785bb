from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from crawler.items import PageItem
from crawler.stores import store_from_settings
from index import Store, StoredDocument


class StorePipeline:
    """Write analysed articles to the store in batches (a batch is one transaction)."""

    def __init__(self, crawler: Any, store: Store, batch_size: int) -> None:
        self.crawler = crawler
        self.store = store
        self.batch_size = batch_size
        self.pending: list[tuple[StoredDocument, list[str]]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        store = store_from_settings(crawler.settings)
        return cls(crawler, store, crawler.settings.getint("HOTWATCH_STORE_BATCH"))

    def process_item(self, item: PageItem) -> PageItem:
        self.pending.append((stored_document(item), item.aliases))
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        self.store.close()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        outcomes = self.store.upsert_many(doc for doc, _ in batch)
        stats = self.crawler.stats
        for (doc, aliases), outcome in zip(batch, outcomes, strict=True):
            for alias in aliases:
                self.store.record_fetch(alias, doc.fetched_at)
            stats.inc_value(f"hotwatch/{doc.source}/{outcome}")
            if doc.relevant:
                stats.inc_value(f"hotwatch/{doc.source}/relevant")


def stored_document(item: PageItem) -> StoredDocument:
    article, analysis = item.article, item.analysis
    url = article.canonical_url or item.url
    return StoredDocument(
        url=url,
        fetched_url=item.url,
        title=article.title,
        text=article.text,
        published_at=article.published_at,
        fetched_at=item.fetched_at,
        author=article.author,
        outlet=article.outlet,
        source=item.source,
        domain=urlparse(url).hostname,
        tier=item.tier,
        relevant=analysis.relevant,
        relevance=analysis.relevance,
        negativity=analysis.negativity,
        sentiment=analysis.sentiment,
        hotlines=analysis.hotlines,
        regions=analysis.regions,
        categories=analysis.categories,
        plans=analysis.plans,
        reasons=analysis.reasons,
        incident_id=item.incident_id,
    )
