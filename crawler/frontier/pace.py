"""Per-domain politeness shared by every worker of the frontier.

Scrapy's ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` hold per process,
and scrapy-redis shares only the queue and the duplicate filter. With a frontier, a
domain's concurrency is therefore a Redis semaphore: a request takes a *slot* (a
member of the domain's sorted set, scored by its lease deadline on the Redis server's
clock) before it enters Scrapy's downloader and gives it back when it leaves it;
waiting requests of all workers get slots first come, first served. A worker renews
its slots while it holds them; the slots of a worker that died expire after
``HOTWATCH_FRONTIER_SLOT_LEASE`` seconds. ``HOTWATCH_FRONTIER_DOMAIN_DELAY`` then books
the domain's next free moment, so two requests to one domain are that far apart,
whichever worker sends them.

The middleware sits last before the downloader (after the HTTP cache, whose answers
need no slot), so every request that takes a slot is downloaded and Scrapy's
``request_left_downloader`` gives it back.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any
from urllib.parse import urlparse

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet import task

from crawler.frontier.heartbeat import worker_id
from crawler.frontier.keys import FrontierKeys, connect, frontier_lost, keys_from_settings

SLOT_META = "hotwatch_domain_slot"
SLOT_POLL_SECONDS = 0.05
SLOT_WAITER_MS = 3000  # a waiter that stops asking (its worker died) leaves the queue

# KEYS: the domain's next free moment. ARGV: now, delay. Returns seconds to wait.
RESERVE = """
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local now, delay = tonumber(ARGV[1]), tonumber(ARGV[2])
local at = math.max(free, now)
redis.call('SET', KEYS[1], tostring(at + delay), 'EX', math.ceil(delay) + 60)
return tostring(at - now)
"""

# KEYS: the domain's slots, then its slot queue (FrontierKeys.slot_queue).
# ARGV: token, limit, lease ms, ms a waiter stays queued without asking again.
# Returns 1 if the slot is taken. Waiters are served in the order they first asked, so
# a worker that just gave a slot back does not take it again before the others.
TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local token, limit, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, waiter in ipairs(gone) do redis.call('ZREM', KEYS[2], waiter) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if not redis.call('ZSCORE', KEYS[2], token) then
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), token)
end
local free = limit - redis.call('ZCARD', KEYS[1])
if free <= 0 or redis.call('ZRANK', KEYS[2], token) >= free then
    redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), token)
    for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], lease) end
    return 0
end
redis.call('ZREM', KEYS[2], token)
redis.call('ZREM', KEYS[3], token)
redis.call('ZADD', KEYS[1], now + lease, token)
redis.call('PEXPIRE', KEYS[1], lease)
return 1
"""

# KEYS: the domain's slots. ARGV: lease ms, then tokens. Renews only slots still held.
RENEW_SLOTS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0
"""


class SharedPaceMiddleware:
    def __init__(
        self,
        crawler: Any,
        server: Any,
        keys: FrontierKeys,
        *,
        concurrency: int,
        delay: float,
        lease: float,
    ) -> None:
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.concurrency = concurrency
        self.delay = delay
        self.lease_ms = int(lease * 1000)
        self.held: dict[str, set[str]] = {}  # domain -> tokens of this worker
        # At most `concurrency` requests of this worker ask Redis for one domain's slot.
        self.local: dict[str, asyncio.Semaphore] = {}
        self.tokens = (f"{worker_id()}:{n}" for n in itertools.count())
        self.renewal: task.LoopingCall | None = None
        self._reserve = server.register_script(RESERVE)
        self._take = server.register_script(TAKE_SLOT)
        self._renew = server.register_script(RENEW_SLOTS)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedPaceMiddleware:
        settings = crawler.settings
        url = settings.get("HOTWATCH_FRONTIER_URL")
        if not url:
            raise NotConfigured("HOTWATCH_FRONTIER_URL is not set")
        middleware = cls(
            crawler,
            connect(url),
            keys_from_settings(settings),
            concurrency=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            delay=settings.getfloat("HOTWATCH_FRONTIER_DOMAIN_DELAY"),
            lease=settings.getfloat("HOTWATCH_FRONTIER_SLOT_LEASE"),
        )
        crawler.signals.connect(middleware.give_back, signal=signals.request_left_downloader)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def process_request(self, request: Request) -> None:
        domain = urlparse(request.url).hostname or ""
        try:
            if self.concurrency > 0:
                request.meta[SLOT_META] = (domain, await self.take_slot(domain))
            wait = self.reserve(domain) if self.delay > 0 else 0.0
        except RedisError as error:
            self.give_back(request)
            self.crawler.signals.send_catch_log(frontier_lost, error=error)
            raise IgnoreRequest(f"queue Redis unavailable: {error}") from error
        if wait > 0:
            await asyncio.sleep(wait)

    async def take_slot(self, domain: str) -> str:
        local = self.local.setdefault(domain, asyncio.Semaphore(self.concurrency))
        await local.acquire()
        token = next(self.tokens)
        try:
            keys = [self.keys.slots(domain), *self.keys.slot_queue(domain)]
            args = [token, self.concurrency, self.lease_ms, SLOT_WAITER_MS]
            while not self._take(keys=keys, args=args):
                await asyncio.sleep(SLOT_POLL_SECONDS)
        except BaseException:
            local.release()
            raise
        self.held.setdefault(domain, set()).add(token)
        return token

    def give_back(self, request: Request) -> None:
        """On ``request_left_downloader``: the request's slot is free for any worker."""
        slot = request.meta.pop(SLOT_META, None)
        if slot is None:
            return
        domain, token = slot
        self.held.get(domain, set()).discard(token)
        self.local[domain].release()
        try:
            self.server.zrem(self.keys.slots(domain), token)
        except RedisError:
            pass  # the slot's lease runs out on its own

    def reserve(self, domain: str, now: float | None = None) -> float:
        """Book the domain's next free moment; returns the seconds to wait for it."""
        now = time.time() if now is None else now
        return float(self._reserve(keys=[self.keys.pace(domain)], args=[now, self.delay]))

    def renew(self) -> None:
        try:
            for domain, tokens in self.held.items():
                if tokens:
                    self._renew(keys=[self.keys.slots(domain)], args=[self.lease_ms, *tokens])
        except RedisError:
            pass  # the next download's slot request tells the worker Redis went away

    def spider_opened(self) -> None:
        self.renewal = task.LoopingCall(self.renew)
        self.renewal.start(self.lease_ms / 3000, now=False)

    def spider_closed(self) -> None:
        if self.renewal is not None and self.renewal.running:
            self.renewal.stop()
        try:
            for domain, tokens in self.held.items():
                if tokens:
                    self.server.zrem(self.keys.slots(domain), *tokens)
        except RedisError:
            pass
