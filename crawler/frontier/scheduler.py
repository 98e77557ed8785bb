"""scrapy-redis's scheduler over one source's leased queue and frontier filter.

A worker renews its leases while it holds them (every third of the visibility
timeout), so only a dead worker's requests come back. It stays open while any worker
holds a lease on the source: a list page in flight elsewhere may still queue articles,
and a dead worker's leases come back. A lease is acknowledged when the store pipeline
reports a written batch (``crawler.stores.documents_stored``) after its request
finished, so a kill between the two serves the request again rather than losing its
document.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.frontier.bloom import RedisBloom
from crawler.frontier.dupefilter import FrontierFilter
from crawler.frontier.keys import (
    LOST,
    FrontierKeys,
    connect,
    frontier_lost,
    keys_from_settings,
)
from crawler.frontier.queue import LEASE_META, LeasedQueue
from crawler.stores import documents_stored, flush_requested

logger = logging.getLogger(__name__)


class FrontierScheduler(Scheduler):
    def __init__(self, crawler: Any, server: Any, keys: FrontierKeys) -> None:
        super().__init__(server, persist=True, dupefilter_cls=FrontierFilter)
        self.crawler = crawler
        self.keys = keys
        self.stats = crawler.stats
        self.held: dict[bytes, Request] = {}  # leases of this worker -> their requests
        self.lost: str | None = None  # why Redis failed; then nothing more is acknowledged
        self.renewal = task.LoopingCall(self.renew_leases)

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        url = crawler.settings.get("HOTWATCH_FRONTIER_URL")
        if not url:
            raise NotConfigured("HOTWATCH_FRONTIER_URL is not set")
        scheduler = cls(crawler, connect(url), keys_from_settings(crawler.settings))
        crawler.signals.connect(scheduler.ack_finished, signal=documents_stored)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(scheduler.lose, signal=frontier_lost)
        return scheduler

    def lose(self, error: Exception) -> None:
        """Redis failed: stop this worker (once); its leases stay in Redis unacknowledged."""
        if self.lost is not None:
            return
        url = self.crawler.settings.get("HOTWATCH_FRONTIER_URL")
        self.lost = f"{LOST} ({url}): {one_line(error)}"
        self.stats.set_value("hotwatch/failure", self.lost)
        # The command says it in its one error line; with --verbose, here is when.
        logger.warning("%s; stopping the crawl", self.lost)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="frontier_lost"))

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
            seeding_key=self.keys.seeding(source),
            revisit=revisit,
            bloom=bloom,
        )
        self.renewal.start(self.queue.visibility_timeout / 3, now=False)

    def renew_leases(self) -> None:
        if self.lost or not self.held:
            return
        try:
            self.queue.renew(list(self.held))
        except RedisError as error:
            self.lose(error)

    def enqueue_request(self, request: Request) -> bool:
        """Queue ``request`` unless seen, checked and queued in one Redis script. A retry
        or redirect of a leased request takes its lease's place (queued or seen). After
        Redis failed the request is dropped: the request that yielded it is not
        acknowledged, so it is fetched again and yields it again."""
        if self.lost:
            return False
        lease = request.meta.get(LEASE_META)
        try:
            if request.dont_filter:
                self.queue.push(request)
                queued = True
            else:
                queued = not self.df.seen_or_queue(request, self.queue.queueing(request))
        except RedisError as error:
            self.lose(error)
            return False
        if lease is not None:
            self.held.pop(lease, None)
        if queued:
            self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
        return queued

    def next_request(self) -> Request | None:
        if self.lost:
            return None
        try:
            request = self.queue.pop()
        except RedisError as error:
            self.lose(error)
            return None
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            self.held[request.meta[LEASE_META]] = request
        return request

    def has_pending_requests(self) -> bool:
        """Requests wait, or this worker has one not finished. When it has none, Scrapy
        calls the crawl idle: the store is asked to write its batch (acknowledging the
        finished leases), and ``spider_idle`` keeps the crawl open while other workers
        hold leases."""
        if len(self.held) > len(self.finished()):
            return True
        if self.lost:
            return False
        try:
            return len(self.queue) > 0
        except RedisError as error:
            self.lose(error)
            return False

    def spider_idle(self) -> None:
        if self.lost:
            return
        if self.held:
            self.crawler.signals.send_catch_log(flush_requested)
        try:
            others = self.queue.leased() - len(self.held)
            waiting = len(self.queue)
        except RedisError as error:
            self.lose(error)
            return
        if waiting > 0 or others > 0:
            raise DontCloseSpider("other workers hold requests that may queue more")

    def close(self, reason: str) -> None:
        if self.renewal.running:
            self.renewal.stop()
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
        if self.lost:
            return
        for lease in self.finished():
            if not self._ack(lease):
                return
            del self.held[lease]

    def _ack(self, lease: bytes) -> bool:
        try:
            self.queue.ack(lease)
        except RedisError as error:
            self.lose(error)
            return False
        return True


def one_line(error: Exception) -> str:
    """redis-py's message (it may wrap it in a tuple or quote it) on one line."""
    text = " ".join(str(arg) for arg in error.args) or repr(error)
    return text.splitlines()[0].strip("'\"")
