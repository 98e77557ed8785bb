"""A per-domain pace shared by every worker: ``HOTWATCH_FRONTIER_DOMAIN_DELAY`` seconds
between two requests to one domain, whichever worker sends them (Scrapy's own
``DOWNLOAD_DELAY`` and per-domain concurrency hold per process only)."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlparse

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.frontier.keys import FrontierKeys, connect, keys_from_settings

# KEYS: the domain's next free moment. ARGV: now, delay. Returns seconds to wait.
RESERVE = """
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local now, delay = tonumber(ARGV[1]), tonumber(ARGV[2])
local at = math.max(free, now)
redis.call('SET', KEYS[1], tostring(at + delay), 'EX', math.ceil(delay) + 60)
return tostring(at - now)
"""


class SharedPaceMiddleware:
    def __init__(self, server: Any, keys: FrontierKeys, delay: float) -> None:
        self.keys = keys
        self.delay = delay
        self._reserve = server.register_script(RESERVE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedPaceMiddleware:
        url = crawler.settings.get("HOTWATCH_FRONTIER_URL")
        delay = crawler.settings.getfloat("HOTWATCH_FRONTIER_DOMAIN_DELAY")
        if not url or delay <= 0:
            raise NotConfigured("no frontier, or HOTWATCH_FRONTIER_DOMAIN_DELAY is 0")
        return cls(connect(url), keys_from_settings(crawler.settings), delay)

    async def process_request(self, request: Request) -> None:
        wait = self.reserve(urlparse(request.url).hostname or "")
        if wait > 0:
            await asyncio.sleep(wait)

    def reserve(self, domain: str, now: float | None = None) -> float:
        """Book the domain's next free moment; returns the seconds to wait for it."""
        now = time.time() if now is None else now
        return float(self._reserve(keys=[self.keys.pace(domain)], args=[now, self.delay]))
