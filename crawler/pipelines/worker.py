"""A child process for extraction and analysis, so Scrapy's own process only crawls.

Extraction and analysis are pure CPU work (milliseconds a page) that would otherwise
run on the reactor thread between downloads. ``HOTWATCH_ANALYSIS_WORKERS = N`` spawned
workers per crawl take them to the other cores (each page is one job, and a job's
result depends on the page alone, so the order the workers finish in changes
nothing); ``0`` keeps them inline. A worker imports :mod:`crawler.pagework` and the
analysis, not Scrapy (nor, through the main module, the whole CLI).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from crawler.lifeline import watch_parent
from crawler.pagework import call_with_pid

logger = logging.getLogger(__name__)
Result = TypeVar("Result")


class AnalysisWorker:
    """Runs pure functions in a child process; falls back to inline if the child dies."""

    def __init__(self, processes: int) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.jobs = 0
        self.pids: set[int] = set()  # the workers that did a job
        if processes > 0:
            # spawn, not fork: forking a process with a running reactor copies its threads' locks.
            context = multiprocessing.get_context("spawn")
            self.executor = ProcessPoolExecutor(
                max_workers=processes,
                mp_context=context,
                initializer=watch_parent,  # no orphan outlives a killed crawl
                initargs=(os.getpid(),),
            )

    async def run(self, function: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        if self.executor is None:
            return function(*args, **kwargs)
        try:
            future = self.executor.submit(call_with_pid, function, *args, **kwargs)
            pid, result = await asyncio.wrap_future(future)
            self.jobs += 1
            self.pids.add(pid)
            return result
        except BrokenProcessPool:
            logger.warning("analysis worker died; analysing in the crawler process from now on")
            self.close()
            return function(*args, **kwargs)

    def close_off_the_reactor(self) -> Deferred[None]:
        """On ``spider_closed``: wait for the children to exit on a thread, not on the
        reactor, which the other sources' crawls share: while it waited (seconds on a
        loaded machine), their downloads under way timed out."""
        return deferToThread(self.close)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
            logger.info(
                "extraction and analysis: %d jobs in %d worker processes",
                self.jobs,
                len(self.pids),
            )


_workers: WeakKeyDictionary[Any, AnalysisWorker] = WeakKeyDictionary()


def worker_for(crawler: Any) -> AnalysisWorker:
    """The one worker shared by a crawler's pipelines, closed when its spider closes."""
    if crawler not in _workers:
        worker = AnalysisWorker(crawler.settings.getint("HOTWATCH_ANALYSIS_WORKERS"))
        crawler.signals.connect(worker.close_off_the_reactor, signal=signals.spider_closed)
        _workers[crawler] = worker
    return _workers[crawler]
