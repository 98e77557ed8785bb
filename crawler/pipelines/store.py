from __future__ import annotations

from typing import Any

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
    return StoredDocument.from_analysis(
        item.article.canonical_url or item.url,
        item.article,
        item.analysis,
        fetched_url=item.url,
        fetched_at=item.fetched_at,
        source=item.source,
        tier=item.tier,
        incident_id=item.incident_id,
    )
