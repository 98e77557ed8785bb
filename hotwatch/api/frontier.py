"""The shared crawl frontier: seeding crawls, workers, and the queue's status and clearing.

With ``[queue] url`` set, ``hotwatch crawl`` registers its sources in Redis and seeds
their start pages; ``hotwatch worker`` (on any machine) crawls every registered source
from the frontier into the configured store. Incidents are placed by one writer at a
time: the placement state lives in the store, and a Redis lock serialises updates.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from redis.exceptions import RedisError, ResponseError
from twisted.internet import task

from crawler.frontier.bloom import RedisBloom, require_bloom
from crawler.frontier.keys import LOST, FrontierKeys, FrontierUnavailable, connect
from hotwatch.api.crawl import AddSource, SourceSummary, run_crawl
from hotwatch.api.incidents import place_until_signalled
from hotwatch.config import Config, ConfigError, SourceConfig
from index import StoreUnavailable, open_store

logger = logging.getLogger(__name__)
INCIDENT_LOCK_SECONDS = 600
LATE_BEATS = 3  # a worker silent for this many heartbeats is not alive


@dataclass
class SourceQueue:
    name: str
    pending: int
    in_flight: int
    seen: int | None  # article URLs kept (estimated by the Bloom filter); None: no BF.*


@dataclass
class WorkerState:
    worker: str
    alive: bool
    sources: list[str]
    seen_seconds_ago: float
    fetched: int
    last_error: str


@dataclass
class QueueStatus:
    url: str
    sources: list[SourceQueue] = field(default_factory=list)
    workers: list[WorkerState] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def frontier(config: Config, *, crawling: bool = False) -> tuple[Any, FrontierKeys]:
    """A checked connection to the configured queue and its keys; ``crawling``: also
    that it has the Bloom filter ``bloom = true`` asks for."""
    if not config.queue.url:
        raise ConfigError("no queue configured (set [queue] url or HOTWATCH_QUEUE_URL)")
    server = connect(config.queue.url)
    if crawling and config.queue.bloom:
        require_bloom(server, config.queue.url)
    return server, FrontierKeys(config.queue.prefix)


def frontier_settings(
    config: Config, *, seed: bool, concurrency: int = 0, forever: bool = False
) -> dict[str, Any]:
    """Scrapy settings for a crawl over the frontier."""
    queue = config.queue
    settings: dict[str, Any] = {
        "SCHEDULER": "crawler.frontier.scheduler.FrontierScheduler",
        "HOTWATCH_FRONTIER_BLOOM": queue.bloom,
        "HOTWATCH_FRONTIER_BLOOM_CAPACITY": queue.bloom_capacity,
        "HOTWATCH_FRONTIER_BLOOM_ERROR_RATE": queue.bloom_error_rate,
        "HOTWATCH_FRONTIER_DOMAIN_DELAY": queue.domain_delay,
        "HOTWATCH_FRONTIER_FOREVER": forever,
        "HOTWATCH_FRONTIER_HEARTBEAT": queue.heartbeat,
        "HOTWATCH_FRONTIER_PREFIX": queue.prefix,
        "HOTWATCH_FRONTIER_SEED": seed,
        "HOTWATCH_FRONTIER_URL": queue.url,
        "HOTWATCH_FRONTIER_VISIBILITY_TIMEOUT": queue.visibility_timeout,
    }
    if concurrency:
        settings["CONCURRENT_REQUESTS"] = concurrency
    return settings


def seed_and_crawl(
    config: Config, sources: list[SourceConfig], *, max_pages: int = 0, progress: bool = False
) -> tuple[list[SourceSummary], int]:
    """Register ``sources`` in the frontier, seed their start pages, and crawl as a worker;
    returns the summaries and how many documents changed incident."""
    server, keys = frontier(config, crawling=True)
    open_store(config.index, config.data_dir).close()  # fail early, before any download
    try:
        pipe = server.pipeline()
        for source in sources:
            pipe.hset(keys.sources, source.name, json.dumps(source.as_spider_source()))
            pipe.delete(keys.seeding(source.name))  # list pages are read again each seeding
        pipe.execute()
    except RedisError as error:
        raise FrontierUnavailable(f"queue Redis at {config.queue.url}: {error}") from error
    settings = frontier_settings(config, seed=True)
    summaries = run_crawl(
        config, sources, max_pages=max_pages, progress=progress, extra_settings=settings
    )
    raise_if_lost(summaries)
    return summaries, place_incidents(config, server, keys)


def run_worker(
    config: Config, *, concurrency: int = 0, forever: bool = False, progress: bool = False
) -> tuple[list[SourceSummary], int]:
    """Crawl every source registered in the frontier until it is empty (or for ever)."""
    server, keys = frontier(config, crawling=True)
    open_store(config.index, config.data_dir).close()
    sources = registered_sources(server, keys)
    if not sources:
        raise ConfigError("the queue has no sources yet: seed it with `hotwatch crawl` first")
    settings = frontier_settings(config, seed=False, concurrency=concurrency, forever=forever)
    watch = watch_new_sources(server, keys, sources, config.queue.heartbeat) if forever else None
    summaries = run_crawl(
        config, sources, progress=progress, extra_settings=settings, while_running=watch
    )
    raise_if_lost(summaries)
    return summaries, place_incidents(config, server, keys)


def watch_new_sources(
    server: Any, keys: FrontierKeys, sources: list[SourceConfig], interval: float
) -> Callable[[AddSource], None]:
    """For a ``--forever`` worker: every ``interval`` seconds, sources registered in the
    frontier since it started (a seeding crawl registers its sources' definitions with
    their seeds) are crawled too, without a restart."""
    known = {source.name for source in sources}

    def start(add: AddSource) -> None:
        def look() -> None:
            try:
                registered = registered_sources(server, keys)
            except RedisError as error:
                logger.warning("new sources not looked up: queue Redis: %s", error)
                return  # the crawls notice a lasting failure themselves
            for source in registered:
                if source.name in known:
                    continue
                if not add(source):
                    loop.stop()
                    return
                known.add(source.name)
                logger.info("source %s registered in the frontier: crawling it too", source.name)

        loop = task.LoopingCall(look)
        loop.start(interval, now=False)

    return start


def raise_if_lost(summaries: list[SourceSummary]) -> None:
    """Redis failed mid-crawl: one line saying so and what became of the work. Incidents
    wait for the next crawl (their placement takes a Redis lock)."""
    lost = next((m for s in summaries for m in s.messages if m.startswith(LOST)), None)
    if lost is None:
        return
    stored = sum(s.new + s.updated + s.unchanged for s in summaries)
    raise FrontierUnavailable(
        f"{lost}; {stored} document(s) stored, unfinished requests stay queued "
        "and are served again when Redis is back"
    )


def registered_sources(server: Any, keys: FrontierKeys) -> list[SourceConfig]:
    names = {f.name for f in fields(SourceConfig)}
    sources = []
    for raw in server.hvals(keys.sources):
        entry = {k: v for k, v in json.loads(raw).items() if k in names}
        for key, value in entry.items():
            if isinstance(value, list):
                entry[key] = tuple(value)
        sources.append(SourceConfig(**entry))
    return sorted(sources, key=lambda s: s.name)


def place_incidents(config: Config, server: Any, keys: FrontierKeys) -> int:
    """Bring incidents up to date, one writer at a time across all workers."""
    store = open_store(config.index, config.data_dir)
    try:
        with server.lock(keys.incidents_lock, timeout=INCIDENT_LOCK_SECONDS):
            return place_until_signalled(store)[0]
    except StoreUnavailable as error:
        logger.error("incidents not updated: %s", error)
        return 0
    except RedisError as error:
        logger.error("incidents not updated: queue Redis: %s", error)
        return 0
    finally:
        store.close()


def queue_status(config: Config, *, now: float | None = None) -> QueueStatus:
    server, keys = frontier(config)
    now = now or time.time()
    status = QueueStatus(url=config.queue.url)
    for source in registered_sources(server, keys):
        seen = seen_urls(config, server, keys.articles(source.name), now)
        status.sources.append(
            SourceQueue(
                name=source.name,
                pending=int(server.zcard(keys.requests(source.name))),
                in_flight=int(server.zcard(keys.leases(source.name))),
                seen=seen,
            )
        )
    workers: dict[str, WorkerState] = {}
    for raw in server.hvals(keys.workers):
        beat = json.loads(raw)
        ago = max(0.0, now - float(beat["seen"]))
        alive = beat["state"] == "crawling" and ago <= LATE_BEATS * float(beat["interval"])
        state = workers.setdefault(
            beat["worker"], WorkerState(beat["worker"], alive, [], ago, 0, "")
        )
        state.alive = state.alive or alive
        state.sources.append(beat["source"])
        state.seen_seconds_ago = round(min(state.seen_seconds_ago, ago), 1)
        state.fetched += int(beat["fetched"])
        state.last_error = beat["last_error"] or state.last_error
    status.workers = sorted(workers.values(), key=lambda w: (not w.alive, w.worker))
    return status


def seen_urls(config: Config, server: Any, key: str, now: float) -> int | None:
    """Article URLs the frontier remembers for a source; Redis's estimate with the Bloom
    filter, None when the Bloom filter is configured but Redis has none."""
    if not config.queue.bloom:
        return int(server.zcard(key))
    bloom = RedisBloom(server, key, capacity=config.queue.bloom_capacity,
                       error_rate=config.queue.bloom_error_rate,
                       revisit=config.crawl.revisit_hours * 3600)
    try:
        return bloom.count(now)
    except ResponseError:
        return None


def clear_queue(config: Config) -> int:
    """Delete every key of the frontier (requests, leases, seen URLs, sources, workers)."""
    server, keys = frontier(config)
    deleted = 0
    for key in server.scan_iter(match=f"{keys.prefix}:*", count=1000):
        deleted += int(server.delete(key))
    return deleted
