"""Weibo posts from the mobile API: keyword searches and user timelines.

Each query is searched (``containerid=100103type=1&q=...``, paged by ``page``) and each
user's timeline read (``containerid=107603{uid}``, paged by ``since_id`` or ``page``),
up to ``max_pages`` pages each. Cut-off long posts are completed from
``/statuses/extend`` before they are yielded; a repost yields its original too.

Blocking answers (HTTP 418/432/403, ``ok: -100``, login redirects, captcha pages) and
broken bodies are retried with Scrapy's ``get_retry_request`` after a doubling pause;
when the retries run out the source gets one clear error line in its summary.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.items import PostItem
from crawler.skips import page_failed
from crawler.spiders.base import SourceSpider
from crawler.weibo.api import (
    BLOCKED_STATUSES,
    DEFAULT_API_BASE,
    REDIRECT_STATUSES,
    Answer,
    extend_url,
    read_answer,
    search_url,
    timeline_url,
)
from crawler.weibo.posts import Post, posts_from_cards

DEFAULT_MAX_PAGES = 3
DEFAULT_DELAY = 3.0  # seconds between two requests to the API host
DEFAULT_RETRY_DELAY = 30.0  # first pause after a blocking answer; doubles on each retry
API_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "MWeibo-Pwa": "1",
    "X-Requested-With": "XMLHttpRequest",
}


class WeiboSpider(SourceSpider):
    """One ``type = "weibo"`` source: its ``queries`` and ``users`` through the mobile API."""

    name = "weibo"

    def __init__(self, source: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.api_base = (self.source.get("api_base") or DEFAULT_API_BASE).rstrip("/")
        self.allowed_domains = [urlparse(self.api_base).hostname or ""]
        self.queries = [str(q) for q in self.source.get("queries") or []]
        self.users = [str(u) for u in self.source.get("users") or []]
        self.page_limit = int(self.source.get("max_pages") or DEFAULT_MAX_PAGES)
        self.retry_delay = float(_number(self.source.get("retry_delay"), DEFAULT_RETRY_DELAY))
        self.cookies = parse_cookie_header(self.source.get("cookie") or "")
        self.cookie_env = self.source.get("cookie_env") or ""
        self.seen: set[str] = set()
        self.posts_yielded = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WeiboSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        delay = float(_number(spider.source.get("delay"), DEFAULT_DELAY))
        slots = dict(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        slots[spider.allowed_domains[0]] = {"concurrency": 1, "delay": delay}
        crawler.settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        return spider

    # -- start ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.cookie_env and not self.cookies:
            self.logger.warning("%s is not set: crawling Weibo without a cookie", self.cookie_env)
        for query in self.queries:
            yield self.search_request(query, 1)
        for uid in self.users:
            yield self.timeline_request(uid, page=1)

    def search_request(self, query: str, page: int) -> scrapy.Request:
        return self.api_request(
            search_url(self.api_base, query, page),
            self.parse_page,
            f'search "{query}" page {page}',
            {"weibo_search": query, "weibo_page": page},
        )

    def timeline_request(self, uid: str, *, page: int, since_id: str = "") -> scrapy.Request:
        return self.api_request(
            timeline_url(self.api_base, uid, since_id=since_id, page=page),
            self.parse_page,
            f"user {uid} page {page}",
            {"weibo_user": uid, "weibo_page": page},
        )

    def api_request(
        self, url: str, callback: Any, what: str, meta: dict[str, Any]
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers={**API_HEADERS, "Referer": f"{self.api_base}/"},
            cookies=self.cookies,
            meta={
                **meta,
                "weibo_what": what,
                "dont_redirect": True,  # a redirect here is a login wall, not content
                "autothrottle_dont_adjust_delay": True,  # keep the source's delay
                "handle_httpstatus_list": [*BLOCKED_STATUSES, *REDIRECT_STATUSES],
            },
        )

    # -- pages -----------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        page = int(response.meta["weibo_page"])
        answer = _answer(response, first_page=page == 1)
        if answer.problem:
            retry = await self.retry_later(response, answer.problem)
            if retry is not None:
                yield retry
            return
        if answer.end:
            if page == 1:
                self.logger.info("%s: no posts", response.meta["weibo_what"])
            return
        now = datetime.now(UTC)
        found = 0
        for post in posts_from_cards(answer.data.get("cards"), now=now):
            found += 1
            for request_or_item in self.emit(post, now):
                yield request_or_item
        if found and page < self.page_limit and not self.post_limit_reached():
            next_request = self.next_page(response, answer.data, page)
            if next_request is not None:
                yield next_request

    def next_page(self, response: Response, data: dict[str, Any], page: int) -> Any:
        if "weibo_search" in response.meta:
            return self.search_request(response.meta["weibo_search"], page + 1)
        info = data.get("cardlistInfo") if isinstance(data.get("cardlistInfo"), dict) else {}
        uid = response.meta["weibo_user"]
        if info.get("since_id"):
            return self.timeline_request(uid, page=page + 1, since_id=str(info["since_id"]))
        if isinstance(info.get("page"), int) and info["page"] > page:
            return self.timeline_request(uid, page=info["page"])
        return None

    def emit(self, post: Post, now: datetime) -> Iterator[Any]:
        """The post's original first, then the post: as items, or long-text requests."""
        for each in (post.parent, post):
            if each is None or not each.id or each.id in self.seen or self.post_limit_reached():
                continue
            self.seen.add(each.id)
            self.posts_yielded += 1
            if each.long_text:
                yield self.api_request(
                    extend_url(self.api_base, each.id),
                    self.parse_long_text,
                    f"long text of post {each.id}",
                    {"weibo_post": each, "weibo_fetched_at": now},
                )
            else:
                yield self.post_item(each, now)

    async def parse_long_text(self, response: Response) -> AsyncIterator[Any]:
        post: Post = response.meta["weibo_post"]
        answer = _answer(response, first_page=True)
        if answer.problem:
            retry = await self.retry_later(response, answer.problem)
            if retry is not None:
                yield retry
            else:  # the cut-off text is better than nothing
                yield self.post_item(post, response.meta["weibo_fetched_at"])
            return
        post.with_long_text(str(answer.data.get("longTextContent") or ""))
        yield self.post_item(post, response.meta["weibo_fetched_at"])

    def post_item(self, post: Post, fetched_at: datetime) -> PostItem:
        self.crawler.stats.inc_value(f"hotwatch/{self.source_name}/fetched")
        return PostItem(post=post, source=self.source_name, fetched_at=fetched_at, tier=self.tier)

    def post_limit_reached(self) -> bool:
        return bool(self.max_pages) and self.posts_yielded >= self.max_pages

    # -- blocking and failures ---------------------------------------------------------------

    async def retry_later(self, response: Response, problem: str) -> scrapy.Request | None:
        """A retry after a doubling pause, or None (and an error line) when retries ran out."""
        request = response.request
        assert request is not None
        retry = get_retry_request(
            request, spider=self, reason=problem, give_up_log_level=logging.INFO
        )  # giving up is reported once, as the source's error line
        if retry is None:
            attempts = int(request.meta.get("retry_times", 0)) + 1
            self.fail(problem, request.meta["weibo_what"], attempts)
            return None
        pause = self.retry_delay * 2 ** (int(retry.meta["retry_times"]) - 1)
        self.logger.info("%s: %s; retrying in %.1f s", request.url, problem, pause)
        await maybe_deferred_to_future(task.deferLater(_reactor(), pause, lambda: None))
        return retry

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        what = request.meta.get("weibo_what", request.url)
        attempts = int(request.meta.get("retry_times", 0)) + 1
        if failure.check(HttpError):
            self.fail(f"HTTP {failure.value.response.status}", what, attempts)
        elif failure.check(IgnoreRequest):
            self.fail(f"not fetched ({failure.getErrorMessage()})", what, 0)
        else:
            self.fail(failure.getErrorMessage() or failure.type.__name__, what, attempts)
        if "weibo_post" in request.meta:  # keep the cut-off text of a long post
            yield self.post_item(request.meta["weibo_post"], request.meta["weibo_fetched_at"])

    def fail(self, problem: str, what: str, attempts: int) -> None:
        tried = f" after {attempts} attempt{'s' if attempts > 1 else ''}" if attempts else ""
        hint = ""
        if "login required" in problem and not self.cookies:
            hint = f" ({self.cookie_env} is not set)" if self.cookie_env else " (no cookie set)"
        message = f"weibo: {problem}{tried}{hint}: {what}"
        self.crawler.signals.send_catch_log(
            page_failed, url=what, reason=f"{problem}{tried}{hint}", source=self.source_name
        )
        self.errors.append(message)
        self.logger.warning(message)


def parse_cookie_header(header: str) -> dict[str, str]:
    """``"SUB=abc; SUBP=xyz"`` → ``{"SUB": "abc", "SUBP": "xyz"}`` (values kept verbatim)."""
    cookies = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            cookies[name] = value
    return cookies


def _answer(response: Response, *, first_page: bool) -> Answer:
    headers = {
        key.decode("latin-1").lower(): response.headers.get(key, b"").decode("latin-1")
        for key in response.headers
    }
    return read_answer(response.status, headers, response.body, first_page=first_page)


def _number(value: Any, default: float) -> float:
    return default if value is None or value == "" else float(value)


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor
