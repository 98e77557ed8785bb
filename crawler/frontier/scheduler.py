"""scrapy-redis's scheduler over one source's leased queue and frontier filter.

A worker stays open while any worker holds a lease on the source: a list page in
flight elsewhere may still queue articles, and a dead worker's leases come back. A
lease is acknowledged when the store pipeline reports a written batch
(``crawler.stores.documents_stored``) after its request finished, so a kill between
the two serves the request again rather than losing its document.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler

from crawler.frontier.bloom import RedisBloom
from crawler.frontier.dupefilter import FrontierFilter
from crawler.frontier.keys import FrontierKeys, connect, keys_from_settings
from crawler.frontier.queue import LEASE_META, LeasedQueue
from crawler.stores import documents_stored, flush_requested


class FrontierScheduler(Scheduler):
    def __init__(self, crawler: Any, server: Any, keys: FrontierKeys) -> None:
        super().__init__(server, persist=True, dupefilter_cls=FrontierFilter)
        self.crawler = crawler
        self.keys = keys
        self.stats = crawler.stats
        self.held: dict[bytes, Request] = {}  # leases of this worker -> their requests

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        url = crawler.settings.get("HOTWATCH_FRONTIER_URL")
        if not url:
            raise NotConfigured("HOTWATCH_FRONTIER_URL is not set")
        scheduler = cls(crawler, connect(url), keys_from_settings(crawler.settings))
        crawler.signals.connect(scheduler.ack_finished, signal=documents_stored)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Any) -> None:
        settings, source = self.crawler.settings, spider.source_name
        self.spider = spider
        self.queue = LeasedQueue(
            self.server,
            spider,
            self.keys.requests(source),
            leases_key=self.keys.leases(source),
            visibility_timeout=settings.getfloat("HOTWATCH_FRONTIER_VISIBILITY_TIMEOUT"),
        )
        revisit = settings.getfloat("HOTWATCH_REVISIT_HOURS") * 3600
        bloom = None
        if settings.getbool("HOTWATCH_FRONTIER_BLOOM"):
            bloom = RedisBloom(
                self.server,
                self.keys.articles(source),
                capacity=settings.getint("HOTWATCH_FRONTIER_BLOOM_CAPACITY"),
                error_rate=settings.getfloat("HOTWATCH_FRONTIER_BLOOM_ERROR_RATE"),
                revisit=revisit,
            )
        self.df = FrontierFilter(
            self.server,
            self.crawler.request_fingerprinter,
            articles_key=self.keys.articles(source),
            listings_key=self.keys.listings(source),
            revisit=revisit,
            bloom=bloom,
        )

    def enqueue_request(self, request: Request) -> bool:
        lease = request.meta.get(LEASE_META)
        if lease is not None:
            self.held.pop(lease, None)  # a retry or redirect: push() hands the lease over
        return bool(super().enqueue_request(request))

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            self.held[request.meta[LEASE_META]] = request
        return request

    def has_pending_requests(self) -> bool:
        """Requests wait, or this worker has one not finished. When it has none, Scrapy
        calls the crawl idle: the store is asked to write its batch (acknowledging the
        finished leases), and ``spider_idle`` keeps the crawl open while other workers
        hold leases."""
        return len(self.queue) > 0 or len(self.held) > len(self.finished())

    def spider_idle(self) -> None:
        if self.held:
            self.crawler.signals.send_catch_log(flush_requested)
        others = self.queue.leased() - len(self.held)
        if len(self.queue) > 0 or others > 0:
            raise DontCloseSpider("other workers hold requests that may queue more")

    def close(self, reason: str) -> None:
        self.ack_finished()  # the pipelines have closed: every batch is written

    def finished(self) -> list[bytes]:
        """Leases whose requests Scrapy is done with: downloaded, called back, their items
        through every pipeline (so in the store's batch) and their new requests queued."""
        # The engine keeps a request "in progress" from scheduler to the end of its
        # scraping; Scrapy has no public signal for that moment.
        engine_slot = getattr(self.crawler.engine, "_slot", None)
        in_progress = engine_slot.inprogress if engine_slot is not None else set()
        return [lease for lease, request in self.held.items() if request not in in_progress]

    def ack_finished(self) -> None:
        """On ``documents_stored``: the finished requests' documents are in the store."""
        for lease in self.finished():
            self.queue.ack(lease)
            del self.held[lease]
