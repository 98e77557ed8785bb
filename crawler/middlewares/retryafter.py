"""429 and 503 with ``Retry-After``: the whole domain waits that long, then the page is retried.

Scrapy's RetryMiddleware retries 429 at once, which only earns more 429s. This one,
ahead of it, reads ``Retry-After`` (seconds or an HTTP date), makes the download slot
of the domain keep that pause (no jitter, counted from the 429) so no other page of the
domain goes first, and hands the request back for a retry through Scrapy's own
``get_retry_request`` (same RETRY_TIMES budget and stats). The slot's pace is restored
after its next good answer. A pause over ``HOTWATCH_MAX_RETRY_AFTER`` is not waited
for: the page fails as ``HTTP 429`` and other domains carry on.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

logger = logging.getLogger(__name__)
STATUSES = (429, 503)


class RetryAfterMiddleware:
    def __init__(self, crawler: Any, max_wait: float) -> None:
        self.crawler = crawler
        self.max_wait = max_wait
        # slot key -> (delay, jitter) before the pause, and when the pause ends
        self.saved: dict[str, tuple[float, float, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler, crawler.settings.getfloat("HOTWATCH_MAX_RETRY_AFTER"))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        if response.status not in STATUSES:
            self.restore(key)
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None or wait > self.max_wait or request.meta.get("dont_retry"):
            return response  # RetryMiddleware and HttpError take it from here
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=f"{response.status} Retry-After {wait:g}s",
            logger=logger,
        )
        if retry is None:
            return response
        slot = downloader.slots.get(key)
        if slot is not None:
            # The slot counts its delay from when it sent this request: add the time the
            # answer took, so the pause runs from the 429 itself.
            pause = wait + float(request.meta.get("download_latency") or 0.0)
            delay, jitter, _ = self.saved.get(key, (slot.delay, slot.jitter, 0.0))
            self.saved[key] = (delay, jitter, time.monotonic() + wait)
            slot.delay, slot.jitter = max(slot.delay, pause), 0.0
        self.crawler.stats.inc_value("hotwatch/retry_after")
        return retry

    def restore(self, key: str) -> None:
        """The slot's own pace again, once the pause is over (answers still in flight wait)."""
        saved = self.saved.get(key)
        if saved is None or time.monotonic() < saved[2]:
            return
        del self.saved[key]
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = saved[0], saved[1]


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
