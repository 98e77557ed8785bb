"""Each worker marks itself alive in the frontier, with what it fetched and its last error."""

from __future__ import annotations

import json
import os
import socket
import time
from typing import Any

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.frontier.keys import FrontierKeys, connect, keys_from_settings


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class HeartbeatExtension:
    """``HOTWATCH_FRONTIER_HEARTBEAT`` seconds apart, writes this worker's state under
    ``<worker id>/<source>`` in the workers hash; with ``HOTWATCH_FRONTIER_FOREVER`` the
    crawl never closes for lack of requests (the worker waits for new seeds)."""

    def __init__(self, crawler: Any, server: Any, keys: FrontierKeys, interval: float) -> None:
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.interval = interval
        self.forever = crawler.settings.getbool("HOTWATCH_FRONTIER_FOREVER")
        self.last_error = ""
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> HeartbeatExtension:
        url = crawler.settings.get("HOTWATCH_FRONTIER_URL")
        if not url:
            raise NotConfigured("HOTWATCH_FRONTIER_URL is not set")
        interval = crawler.settings.getfloat("HOTWATCH_FRONTIER_HEARTBEAT")
        extension = cls(crawler, connect(url), keys_from_settings(crawler.settings), interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    @property
    def field(self) -> str:
        return f"{worker_id()}/{getattr(self.crawler.spider, 'source_name', '?')}"

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.beat, "crawling")
        self.loop.start(self.interval, now=True)

    def spider_closed(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.beat(f"stopped ({reason})")

    def spider_error(self, failure: Failure) -> None:
        self.last_error = str(failure.value).splitlines()[0] if str(failure.value) else ""

    def spider_idle(self) -> None:
        if self.forever:
            raise DontCloseSpider("waiting for new seeds (--forever)")

    def beat(self, state: str) -> None:
        spider = self.crawler.spider
        errors = getattr(spider, "errors", [])
        source = getattr(spider, "source_name", "?")
        record = {
            "worker": worker_id(),
            "source": source,
            "state": state,
            "seen": time.time(),
            "interval": self.interval,
            "fetched": self.crawler.stats.get_value(f"hotwatch/{source}/fetched", 0),
            "last_error": errors[-1] if errors else self.last_error,
        }
        try:
            self.server.hset(self.keys.workers, self.field, json.dumps(record, ensure_ascii=False))
        except RedisError:
            pass  # a missed beat only makes the worker look late; the crawl goes on
