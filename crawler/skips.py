"""Why a page was not stored: the reasons, how a failure maps to one, and how it is reported.

Every page a crawl gives up on is either *skipped* (the page is not something to store:
too large, not HTML, no article, robots.txt says no) or *failed* (the server or the
network let us down: HTTP errors, timeouts, refused connections). Spiders and
middlewares report both through two signals; ``crawler.extensions.runlog`` counts
them by reason and writes each to the run's log.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler.skip_reasons import (  # noqa: F401 (the reasons are importable from here)
    IGNORED,
    NO_ARTICLE,
    NOT_HTML,
    OFFSITE_REDIRECT,
    REDIRECT_LOOP,
    ROBOTS,
    ROBOTS_UNREACHABLE,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
    UNDECODABLE,
)

_DECLARED_SIZE = re.compile(r"receive (\d+) bytes which is larger than download max size \((\d+)\)")
_COMPRESSED_SIZE = re.compile(r"\((\d+) B compressed")

#: Sent as ``page_skipped(url=..., reason=..., detail=..., source=...)``.
page_skipped = object()
#: Sent as ``page_failed(url=..., reason=..., source=...)``.
page_failed = object()


class SkipPage(DropItem):
    """A pipeline's refusal of a page, with one of the reasons above."""

    def __init__(self, reason: str, url: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {url}" + (f" ({detail})" if detail else ""))
        self.reason = reason
        self.url = url
        self.detail = detail


class AlreadyFresh(IgnoreRequest):
    """The URL was fetched within the revisit interval: not a skip, counted as fresh."""


class RobotsUnreachable(IgnoreRequest):
    """robots.txt could not be read (timeout, 5xx): the host is not crawled this run."""


def classify(failure: Failure) -> tuple[str, str, str] | None:
    """``(outcome, reason, detail)`` for a request's failure, outcome "skipped" or "failed".

    None for failures that are no news (URLs fetched recently).
    """
    message = failure.getErrorMessage()
    if failure.check(AlreadyFresh):
        return None
    if failure.check(HttpError):
        return "failed", f"HTTP {failure.value.response.status}", ""
    if failure.check(DownloadCancelledError):
        return "skipped", TOO_LARGE, _size_detail(message)
    if failure.check(RobotsUnreachable):  # the host let us down: a failure, not a skip
        return "failed", message, ""
    if failure.check(IgnoreRequest):
        reason = _ignored_reason(message)
        return "skipped", reason, _size_detail(message) if reason == TOO_LARGE else message
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "failed", "timeout", message
    if failure.check(DNSLookupError):
        return "failed", "DNS lookup failed", message
    if failure.check(ConnectionRefusedError, ConnectError, DownloadConnectionRefusedError):
        return "failed", "connection failed", message
    return "failed", message or failure.type.__name__, ""


def _size_detail(message: str) -> str:
    """Scrapy's long size messages, in a few words."""
    declared = _DECLARED_SIZE.search(message)
    if declared:
        return f"declares {declared.group(1)} bytes, over max_size {declared.group(2)}"
    if "decompression" in message:
        compressed = _COMPRESSED_SIZE.search(message)
        size = f"{compressed.group(1)} bytes compressed, " if compressed else ""
        return f"{size}over max_size once decompressed"
    return "over max_size"


def _ignored_reason(message: str) -> str:
    lowered = message.lower()
    if "robots.txt" in lowered:
        return ROBOTS
    if "maxsize" in lowered or "max size" in lowered:
        return TOO_LARGE
    if "max redirections" in lowered:
        return TOO_MANY_REDIRECTS
    if "offsite" in lowered:
        return OFFSITE_REDIRECT
    return IGNORED


def report_failure(crawler: Any, source: str, failure: Failure) -> tuple[str, str] | None:
    """Send the signal for a failed request; returns ``(url, reason)`` of a failure, else None."""
    verdict = classify(failure)
    request = getattr(failure, "request", None)
    # A redirected request is reported under the URL the crawl asked for.
    chain = request.meta.get("redirect_urls") if request is not None else None
    url = chain[0] if chain else request.url if request is not None else "?"
    if verdict is None:
        return None
    outcome, reason, detail = verdict
    if outcome == "skipped":
        report_skip(crawler, source, url, reason, detail)
        return None
    crawler.signals.send_catch_log(page_failed, url=url, reason=reason, source=source)
    return url, reason


def report_skip(crawler: Any, source: str, url: str, reason: str, detail: str = "") -> None:
    crawler.signals.send_catch_log(
        page_skipped, url=url, reason=reason, detail=detail, source=source
    )
