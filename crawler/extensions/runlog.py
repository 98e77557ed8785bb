"""Every skipped and failed page of a crawl, counted by reason and written to the run's log.

The log is one JSON object a line (``DATA_DIR/logs/crawl-YYYYmmdd-HHMMSS.jsonl``, shared
by the sources of one run): ``{"time", "source", "url", "outcome", "reason", "detail"}``
with outcome ``skipped`` or ``failed``. The crawl summary is read back from it, and the
web crawl-health panel can read it too. A log that cannot be written costs a warning,
never the crawl.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from scrapy import Request, signals

from crawler.skips import OFFSITE_REDIRECT, REDIRECT_LOOP, SkipPage, page_failed, page_skipped

logger = logging.getLogger(__name__)


class RunLogExtension:
    def __init__(self, crawler: Any, path: Path | None) -> None:
        self.crawler = crawler
        self.path = path
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunLogExtension:
        path = crawler.settings.get("HOTWATCH_RUN_LOG")
        extension = cls(crawler, Path(path) if path else None)
        connect = crawler.signals.connect
        connect(extension.page_skipped, signal=page_skipped)
        connect(extension.page_failed, signal=page_failed)
        connect(extension.item_dropped, signal=signals.item_dropped)
        connect(extension.request_scheduled, signal=signals.request_scheduled)
        connect(extension.request_dropped, signal=signals.request_dropped)
        connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def page_skipped(self, url: str, reason: str, detail: str = "", source: str = "?") -> None:
        stats = self.crawler.stats
        stats.inc_value(f"hotwatch/{source}/skipped")
        stats.inc_value(f"hotwatch/{source}/skip/{reason}")
        self.write(source=source, url=url, outcome="skipped", reason=reason, detail=detail)

    def page_failed(self, url: str, reason: str, source: str = "?") -> None:
        self.crawler.stats.inc_value(f"hotwatch/{source}/errors")
        self.write(source=source, url=url, outcome="failed", reason=reason, detail="")

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        if isinstance(exception, SkipPage):
            self.page_skipped(exception.url, exception.reason, exception.detail, item.source)

    def request_scheduled(self, request: Request, spider: Any) -> None:
        """A redirect off the allowed domains, which Scrapy's offsite filter drops silently."""
        if request.meta.get("redirect_urls") and hasattr(spider, "allows"):
            if not spider.allows(request.url):
                host = urlparse(request.url).hostname
                self.page_skipped(
                    request.meta["redirect_urls"][0],
                    OFFSITE_REDIRECT,
                    f"to {host}",
                    _source(spider),
                )

    def request_dropped(self, request: Request, spider: Any) -> None:
        """A redirect back to a URL of its own chain, dropped by the duplicate filter."""
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            detail = " -> ".join([*chain, request.url])
            self.page_skipped(chain[0], REDIRECT_LOOP, detail, _source(spider))

    def write(self, **record: str) -> None:
        if self.path is None:
            return
        try:
            if self.file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.file = self.path.open("a", encoding="utf-8")
            line = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **record}
            self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.file.flush()
        except OSError as error:
            logger.warning("crawl log %s not written: %s", self.path, error)
            self.path = None

    def spider_closed(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _source(spider: Any) -> str:
    return getattr(spider, "source_name", None) or getattr(spider, "name", "?")


def read_run_log(path: Path, source: str) -> list[dict[str, str]]:
    """The records of one source in a run's log (none if the log is missing or unreadable)."""
    try:
        with path.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError):
        return []
    return [r for r in records if r.get("source") == source]
