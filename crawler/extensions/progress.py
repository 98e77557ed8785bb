from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger("hotwatch.progress")
COUNTERS = ("fetched", "new", "updated", "relevant", "skipped", "errors")


class ProgressExtension:
    """Log a one-line count of a source's progress every few seconds while it crawls."""

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        interval = crawler.settings.getfloat("HOTWATCH_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("HOTWATCH_PROGRESS_INTERVAL is 0")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def report(self) -> None:
        source = getattr(self.crawler.spider, "source_name", "?")
        stats = self.crawler.stats
        counts = ", ".join(
            f"{name} {stats.get_value(f'hotwatch/{source}/{name}', 0)}" for name in COUNTERS
        )
        logger.info("%s: %s", source, counts)
