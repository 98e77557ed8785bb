from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger("hotwatch.progress")
COUNTERS = ("fetched", "new", "updated", "relevant", "skipped", "errors")
#: With nothing new, a line at most this often, saying what the crawl waits for.
QUIET_SECONDS = 10.0


class ProgressExtension:
    """Log a one-line count of a source's progress when it changes, or every 10 s at most.

    Counts are checked every ``HOTWATCH_PROGRESS_INTERVAL`` seconds; a crawl waiting on a
    slow page says so once every ``QUIET_SECONDS`` instead of repeating the same line.
    """

    def __init__(
        self,
        crawler: Any,
        interval: float,
        quiet: float = QUIET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.crawler = crawler
        self.interval = interval
        self.quiet = quiet
        self.clock = clock
        self.loop: task.LoopingCall | None = None
        self.last_line = ""
        self.last_time = float("-inf")

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
        line = f"{source}: {self.counts(source)}"
        now = self.clock()
        if line != self.last_line:
            logger.info("%s", line)
        elif now - self.last_time >= self.quiet:
            logger.info("%s; waiting on %d download(s)", line, self.in_flight())
        else:
            return
        self.last_line, self.last_time = line, now

    def counts(self, source: str) -> str:
        stats = self.crawler.stats
        return ", ".join(
            f"{name} {stats.get_value(f'hotwatch/{source}/{name}', 0)}" for name in COUNTERS
        )

    def in_flight(self) -> int:
        try:
            return len(self.crawler.engine.downloader.active)
        except (RuntimeError, AttributeError):  # no engine: the crawl has not started
            return 0
