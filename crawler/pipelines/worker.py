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
from functools import partial
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from crawler.lifeline import watch_parent
from crawler.pagework import Call, call_batch

logger = logging.getLogger(__name__)
Result = TypeVar("Result")
#: Calls sent to a worker process at once, at most (about 0.1 s of pages).
MAX_BATCH = 16
#: Batches out per worker process: the one it runs and the next, queued.
BATCHES_PER_PROCESS = 2


class AnalysisWorker:
    """Runs pure functions in child processes; falls back to inline if a child dies.

    Calls go to the children in batches: while ``BATCHES_PER_PROCESS`` batches per child
    are out, new calls wait, and the next batch takes every call waiting (up to
    ``MAX_BATCH``). A child thus always has a batch queued behind the one it runs. One
    call per job left a child idle about a third of a crawl: each next job waited
    for the executor's threads in the crawler process, which need the interpreter lock
    the busy reactor holds. Calls that arrive while the children keep up go alone, at
    once.
    """

    def __init__(self, processes: int) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.jobs = 0
        self.pids: set[int] = set()  # the workers that did a job
        self.waiting: list[tuple[Call, asyncio.Future[Any]]] = []
        self.batches = 0  # batches out
        self.batches_sent = 0
        self.capacity = processes * BATCHES_PER_PROCESS
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
        answer: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self.waiting.append(((function, args, kwargs), answer))
        self._send()
        return await answer

    def _send(self) -> None:
        while self.waiting and self.batches < self.capacity and self.executor is not None:
            size = min(MAX_BATCH, -(-len(self.waiting) // (self.capacity - self.batches)))
            batch, self.waiting = self.waiting[:size], self.waiting[size:]
            try:
                submitted = self.executor.submit(call_batch, [call for call, _ in batch])
            except BrokenProcessPool:
                self._inline(batch)
                continue
            self.batches += 1
            self.batches_sent += 1
            asyncio.wrap_future(submitted).add_done_callback(partial(self._answered, batch))

    def _answered(
        self, batch: list[tuple[Call, asyncio.Future[Any]]], done: asyncio.Future[Any]
    ) -> None:
        self.batches -= 1
        try:
            pid, outcomes = done.result()
        except BrokenProcessPool:
            self._inline(batch)
            return
        except Exception as error:  # the batch's answer did not come back (unpicklable)
            outcomes = [(False, error)] * len(batch)
        else:
            self.pids.add(pid)
        for (_, answer), (ok, value) in zip(batch, outcomes, strict=True):
            if answer.cancelled():
                continue
            if ok:
                self.jobs += 1
                answer.set_result(value)
            else:
                answer.set_exception(value)
        self._send()

    def _inline(self, batch: list[tuple[Call, asyncio.Future[Any]]]) -> None:
        """A dead child: this batch and every call still waiting run here from now on."""
        if self.executor is not None:
            logger.warning("analysis worker died; analysing in the crawler process from now on")
            self.close()
        calls, self.waiting = [*batch, *self.waiting], []
        for (function, args, kwargs), answer in calls:
            if answer.cancelled():
                continue
            try:
                answer.set_result(function(*args, **kwargs))
            except Exception as error:
                answer.set_exception(error)

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
