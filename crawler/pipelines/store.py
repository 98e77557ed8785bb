from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem
from twisted.internet.task import LoopingCall

from analysis.tags import regions
from crawler.items import PageItem, PostItem
from crawler.stores import documents_stored, flush_requested, store_from_settings
from index import Store, StoredDocument, StoreUnavailable

logger = logging.getLogger(__name__)
REFUSED = "the store refused a write"  # begins the crawl's failure message


class StorePipeline:
    """Write analysed articles to the store in batches (a batch is one transaction).

    What is written becomes searchable once ``HOTWATCH_SEARCH_COMMIT_DOCS`` documents
    wait, at least every ``HOTWATCH_SEARCH_COMMIT_SECONDS`` and when the crawl ends
    (``Store.commit_search``); it is stored, and survives a kill, at once. (A commit of
    more documents costs less CPU a document but more memory while tantivy writes it.)
    """

    def __init__(
        self,
        crawler: Any,
        store: Store,
        batch_size: int,
        *,
        search_commit_docs: int = 0,
        search_commit_seconds: float = 0.0,
    ) -> None:
        self.crawler = crawler
        self.store = store
        self.batch_size = batch_size
        self.pending: list[tuple[StoredDocument, list[str]]] = []
        self.failed: str | None = None  # the store refused a write (a full disk): stop
        self.search_commit_docs = search_commit_docs
        self.unsearchable = 0  # documents stored since the last search commit
        self.search_commits: LoopingCall | None = None
        if search_commit_seconds > 0:
            self.search_commits = LoopingCall(self.commit_search)
            self.search_commits.start(search_commit_seconds, now=False)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            store_from_settings(settings, writer=True),
            settings.getint("HOTWATCH_STORE_BATCH"),
            search_commit_docs=settings.getint("HOTWATCH_SEARCH_COMMIT_DOCS"),
            search_commit_seconds=settings.getfloat("HOTWATCH_SEARCH_COMMIT_SECONDS"),
        )
        crawler.signals.connect(pipeline.flush, signal=flush_requested)
        return pipeline

    def process_item(self, item: PageItem | PostItem) -> PageItem | PostItem:
        if self.failed:
            raise DropItem("not stored: the crawl is stopping", log_level="DEBUG")
        document = stored_post(item) if isinstance(item, PostItem) else stored_document(item)
        self.pending.append((document, item.aliases))
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        if self.search_commits is not None and self.search_commits.running:
            self.search_commits.stop()
        try:
            self.flush()
        finally:
            self.store.close()  # commits the search index

    def commit_search(self) -> None:
        self.unsearchable = 0
        try:
            self.store.commit_search()
        except StoreUnavailable as error:  # stored; searchable at the next commit or open
            logger.warning("search index not caught up: %s", error)

    def stop(self, error: StoreUnavailable) -> None:
        """A store that refuses writes (full disk, read-only file) ends the crawl: what is
        committed stays, the rest is not marked fetched, so the next crawl fetches it."""
        self.failed = f"{REFUSED}: {error}"
        self.crawler.stats.set_value("hotwatch/failure", self.failed)
        logger.error("%s; stopping the crawl", error)
        self.crawler.engine.close_spider(self.crawler.spider, "store_failed")

    def flush(self) -> None:
        if not self.pending:
            self.crawler.signals.send_catch_log(documents_stored)
            return
        batch, self.pending = self.pending, []
        try:
            outcomes = self.store.upsert_many(doc for doc, _ in batch)
            for doc, aliases in batch:
                for alias in aliases:
                    self.store.record_fetch(alias, doc.fetched_at)
        except StoreUnavailable as error:
            if not self.failed:
                self.stop(error)
            return
        self.unsearchable += len(batch)
        if self.unsearchable >= self.search_commit_docs:
            self.commit_search()
        stats = self.crawler.stats
        for (doc, _), outcome in zip(batch, outcomes, strict=True):
            stats.inc_value(f"hotwatch/{doc.source}/{outcome}")
            if doc.relevant:
                stats.inc_value(f"hotwatch/{doc.source}/relevant")
        self.crawler.signals.send_catch_log(documents_stored)


def stored_document(item: PageItem) -> StoredDocument:
    return StoredDocument.from_analysis(
        item.document_url or item.article.canonical_url or item.url,
        item.article,
        item.analysis,
        fetched_url=item.url,
        fetched_at=item.fetched_at,
        source=item.source,
        tier=item.tier,
        incident_id=item.incident_id,
        urls=item.urls,
        fingerprint=item.fingerprint,
    )


def stored_post(item: PostItem) -> StoredDocument:
    """A social post: its counts, its original's URL, and its author's tier before the source's.

    The post's id comes from its canonical URL, so a later crawl updates the counts of
    the same record. When the text names no region, the poster's IP province
    (``发布于 河南``) stands in.
    """
    post = item.post
    document = StoredDocument.from_analysis(
        post.url,
        item.article,
        item.analysis,
        fetched_at=item.fetched_at,
        source=item.source,
        tier=post.tier if post.tier is not None else item.tier,
        incident_id=item.incident_id,
        fingerprint=item.fingerprint,
        kind="post",
        reposts=post.reposts,
        comments=post.comments,
        likes=post.likes,
        parent_url=post.parent_url,
    )
    if not document.regions and post.region:
        document.regions = regions(post.region)
    return document
