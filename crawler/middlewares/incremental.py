from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from crawler.skips import AlreadyFresh
from crawler.stores import store_from_settings
from index import Store


class IncrementalMiddleware:
    """Skip article URLs fetched within the revisit interval; list pages and feeds always go."""

    def __init__(self, crawler: Any, store: Store, revisit: timedelta) -> None:
        self.crawler = crawler
        self.store = store
        self.revisit = revisit

    @classmethod
    def from_crawler(cls, crawler: Any) -> IncrementalMiddleware:
        hours = crawler.settings.getfloat("HOTWATCH_REVISIT_HOURS")
        if hours <= 0:
            raise NotConfigured("HOTWATCH_REVISIT_HOURS is 0: every article is fetched again")
        middleware = cls(crawler, store_from_settings(crawler.settings), timedelta(hours=hours))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if not request.meta.get("hotwatch_article"):
            return None
        last = self.store.last_fetched(request.url)
        if last is not None and datetime.now(UTC) - last < self.revisit:
            source = getattr(self.crawler.spider, "source_name", "?")
            self.crawler.stats.inc_value(f"hotwatch/{source}/fresh")
            raise AlreadyFresh(f"fetched {last.isoformat()}, within the revisit interval")
        return None

    def spider_closed(self) -> None:
        self.store.close()
