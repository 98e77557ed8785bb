"""A child process for extraction and analysis, so Scrapy's own process only crawls.

Extraction and analysis are pure CPU work (milliseconds a page) that would otherwise
run on the reactor thread between downloads. ``HOTWATCH_ANALYSIS_WORKERS = N`` spawned
workers per crawl take them to the other cores (each page is one job, and a job's
result depends on the page alone, so the order the workers finish in changes
nothing); ``0`` keeps them inline. A worker imports :mod:`crawler.pagework` and the
analysis, not Scrapy (nor, through the main module, the whole CLI).

Jobs go to a worker over a pipe of its own, written and read by the reactor's event
loop without blocking it (``crawler.worker_process`` frames them). A
``ProcessPoolExecutor`` did the same through a queue thread, a feeder thread and a
wake-up pipe per job: their hand-offs of the GIL cost the crawler process 0.15-0.6 ms
a page, three to ten times the pickling.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable
from itertools import count
from multiprocessing.connection import Connection
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from crawler.worker_process import frame, serve, unframe

logger = logging.getLogger(__name__)
Result = TypeVar("Result")
JOIN_SECONDS = 60.0  # for a worker to finish its last job once the crawl is done
# Jobs sent to a worker ahead of its answers: enough that it never waits for the next,
# few enough that pages waiting for a worker stay items, not pickled copies as well.
IN_FLIGHT = 3


class WorkerDied(Exception):
    """A worker process ended with jobs of its own unanswered."""


class _Child:
    """One worker process, the pipe its jobs go down and the pipe its answers come up."""

    def __init__(self, context: Any) -> None:
        job_reader, self.job_writer = context.Pipe(duplex=False)
        self.answer_reader, answer_writer = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, args=(job_reader, answer_writer, os.getpid()), daemon=True
        )
        self.process.start()
        job_reader.close()
        answer_writer.close()
        self.jobs: asyncio.WriteTransport | None = None
        self.waiting: dict[int, asyncio.Future[Any]] = {}

    async def connect(self, loop: asyncio.AbstractEventLoop) -> None:
        self.jobs, _ = await loop.connect_write_pipe(
            lambda: _Jobs(self), _Pipe(self.job_writer)
        )
        await loop.connect_read_pipe(lambda: _Answers(self), _Pipe(self.answer_reader))

    def send(self, job_id: int, payload: bytes) -> asyncio.Future[Any]:
        assert self.jobs is not None
        future = asyncio.get_running_loop().create_future()
        self.waiting[job_id] = future
        for part in frame(payload):  # buffered by the loop: never blocks the reactor
            self.jobs.write(part)
        return future

    def answer(self, payload: bytes) -> None:
        job_id, ok, value = pickle.loads(payload)
        future = self.waiting.pop(job_id, None)
        if future is None or future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def lost(self) -> None:
        """The worker's pipes ended: whatever it had not answered will not be."""
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(WorkerDied(f"analysis worker {self.process.pid} ended"))

    def hang_up(self) -> None:
        """No more jobs: the worker ends after answering those it has."""
        if self.jobs is not None and not self.jobs.is_closing():
            try:
                self.jobs.close()  # after the loop has written what it buffered
                return
            except RuntimeError:  # its event loop is closed
                pass
        self.job_writer.close()

    def join(self) -> None:
        self.process.join(JOIN_SECONDS)
        if self.process.is_alive():
            logger.warning("analysis worker %s did not end; stopping it", self.process.pid)
            self.process.terminate()
            self.process.join()


class _Pipe:
    """A ``Connection``'s descriptor as the file object asyncio's pipe transports take."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def fileno(self) -> int:
        return self.connection.fileno()

    def close(self) -> None:
        self.connection.close()


class _Jobs(asyncio.Protocol):
    def __init__(self, child: _Child) -> None:
        self.child = child

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:  # the worker's end is gone (a broken pipe)
            self.child.lost()


class _Answers(asyncio.Protocol):
    def __init__(self, child: _Child) -> None:
        self.child = child
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        for payload in unframe(self.buffer):
            self.child.answer(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self.child.lost()


class AnalysisWorker:
    """Runs pure functions in child processes; falls back to inline if a child dies."""

    def __init__(self, processes: int) -> None:
        self.children: list[_Child] = []
        self.hung_up: list[_Child] = []  # no more jobs; joined on closing
        self.jobs = 0
        self.pids: set[int] = set()  # the workers that did a job
        self._ids = count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected: asyncio.Future[None] | None = None
        self._slots: asyncio.Semaphore | None = None
        if processes > 0:
            # spawn, not fork: forking a process with a running reactor copies its threads' locks.
            context = multiprocessing.get_context("spawn")
            self.children = [_Child(context) for _ in range(processes)]

    async def run(self, function: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        if not self.children:
            return function(*args, **kwargs)
        loop = asyncio.get_running_loop()
        if self._connected is None:
            self._loop = loop
            self._connected = asyncio.ensure_future(self._connect(loop))
            self._slots = asyncio.Semaphore(IN_FLIGHT * len(self.children))
        elif loop is not self._loop:
            raise RuntimeError("an AnalysisWorker's pipes belong to its first job's event loop")
        assert self._slots is not None
        try:
            await self._connected
            async with self._slots:
                if not self.children:  # a worker died meanwhile
                    raise WorkerDied("no analysis worker left")
                child = min(self.children, key=lambda c: len(c.waiting))
                payload = (next(self._ids), function, args, kwargs)
                future = child.send(payload[0], pickle.dumps(payload, pickle.HIGHEST_PROTOCOL))
                result = await future
        except WorkerDied:
            if self.children:
                logger.warning(
                    "analysis worker died; analysing in the crawler process from now on"
                )
                self._hang_up()  # the others answer what they have; joined on closing
            return function(*args, **kwargs)
        self.jobs += 1
        self.pids.add(child.process.pid)  # type: ignore[arg-type]
        return result

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> None:
        for child in self.children:
            await child.connect(loop)

    def close_off_the_reactor(self) -> Deferred[None]:
        """On ``spider_closed``: hang up on the reactor, then wait for the children to exit
        on a thread, not on the reactor, which the other sources' crawls share: while it
        waited (seconds on a loaded machine), their downloads under way timed out."""
        return deferToThread(self._join, self._hang_up())

    def close(self) -> None:
        self._join(self._hang_up())

    def _hang_up(self) -> list[_Child]:
        """Every child told there are no more jobs; returns those not yet joined."""
        for child in self.children:
            child.hang_up()
        self.hung_up += self.children
        self.children = []
        return self.hung_up

    def _join(self, children: list[_Child]) -> None:
        if not children:
            return
        for child in children:
            child.join()
        self.hung_up = [child for child in self.hung_up if child not in children]
        logger.info(
            "extraction and analysis: %d jobs in %d worker processes", self.jobs, len(self.pids)
        )


_workers: WeakKeyDictionary[Any, AnalysisWorker] = WeakKeyDictionary()


def worker_for(crawler: Any) -> AnalysisWorker:
    """The one worker shared by a crawler's pipelines, closed when its spider closes."""
    if crawler not in _workers:
        worker = AnalysisWorker(crawler.settings.getint("HOTWATCH_ANALYSIS_WORKERS"))
        crawler.signals.connect(worker.close_off_the_reactor, signal=signals.spider_closed)
        _workers[crawler] = worker
    return _workers[crawler]
