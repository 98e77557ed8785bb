"""Start requests go to the frontier only from a seeding crawl (``hotwatch crawl``); a
worker takes its requests from the frontier alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured


class SeedingMiddleware:
    def __init__(self, seed: bool) -> None:
        self.seed = seed

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeedingMiddleware:
        if not crawler.settings.get("HOTWATCH_FRONTIER_URL"):
            raise NotConfigured("HOTWATCH_FRONTIER_URL is not set")
        return cls(crawler.settings.getbool("HOTWATCH_FRONTIER_SEED"))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            if not self.seed:
                continue
            if isinstance(item_or_request, Request) and not item_or_request.meta.get(
                "hotwatch_article"
            ):
                # Start pages are read again at every seeding, whatever was seen before.
                item_or_request = item_or_request.replace(dont_filter=True)
            yield item_or_request
