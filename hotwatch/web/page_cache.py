"""Whole pages kept while the store is unchanged: a page asked for again costs no store
call and no rendering.

An entry is keyed by the caller (name and role: pages show who is logged in and which
controls they may use) and the full path with its query, and remembers the store's
generation it was rendered from (``StorePool.generation``: it changes when anyone
commits to the store, a crawl, the CLI or another request). It is reused while the
generation stays the same, for at most ``MAX_AGE`` seconds (some pages also follow the
clock: deadlines, 今日, source health). Only GETs of ``ENDPOINTS`` answering 200 are
kept. A backend that cannot tell its generation (Elasticsearch) is never cached here.

A page is rendered by one request at a time. Others asking for it meanwhile get the
version rendered before, when there is one (during a crawl the store changes many times
a second, and every reader would otherwise render the page afresh), or wait for the
render (a cold 检索 at 100k documents costs half a second; 16 clients asking at once
would spend eight seconds of CPU on one page). A request that finds nobody rendering
renders the page itself, so a reader never gets a page older than the store it saw
when it asked, unless that page was being rendered at that very moment. A POST that
succeeds (a handling change) forgets every kept page: its redirect shows the change.

A page's CSRF token is rendered as a placeholder (``security.csrf_token``), and every
response out of the cache, the first one too, gets a freshly masked token in its place:
cached pages carry each session's own token and never the same string twice.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask, Response, g, request

from hotwatch.web import context, security

MAX_AGE = 60.0
ENTRIES = 256
WAIT = 30.0  # longest wait for another request rendering the same page
GZIP_LEVEL = 6
ENDPOINTS = frozenset({
    "views.today", "views.search", "views.incidents", "views.incident", "views.document",
    "handling.todo", "api.search", "api.incidents", "api.incident", "api.document", "api.today",
})
CLAIM_KEY = "page_cache_claim"


@dataclass(frozen=True)
class Page:
    body: bytes
    mimetype: str
    generation: int
    started_at: float  # when its rendering began (monotonic)
    gzipped: bytes | None  # when the body has no CSRF placeholder


class PageCache:
    """Rendered pages by key, with one renderer per key at a time."""

    def __init__(self, *, max_age: float = MAX_AGE, entries: int = ENTRIES) -> None:
        self.max_age = max_age
        self.entries = entries
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._rendering: dict[Hashable, threading.Event] = {}
        self._cleared_at = -1.0

    def claim(self, key: Hashable, generation: int) -> Page | bool:
        """The kept page; or ``True``: the caller renders it and must ``put`` or
        ``release``; or ``False`` (waited too long): render, nothing to give back."""
        deadline = time.monotonic() + WAIT
        while True:
            with self._lock:
                page = self._pages.get(key)
                if page is not None and time.monotonic() - page.started_at >= self.max_age:
                    page = None
                if page is not None and page.generation == generation:
                    self._pages.move_to_end(key)
                    return page
                rendering = self._rendering.get(key)
                if rendering is None:
                    self._rendering[key] = threading.Event()
                    return True
                if page is not None:
                    return page  # the newer version is being rendered right now
            if not rendering.wait(max(0.0, deadline - time.monotonic())):
                return False

    def put(self, key: Hashable, page: Page) -> None:
        with self._lock:
            kept = self._pages.get(key)
            newer = kept is not None and kept.generation > page.generation
            if page.started_at > self._cleared_at and not newer:
                self._pages[key] = page
                self._pages.move_to_end(key)
                while len(self._pages) > self.entries:
                    self._pages.popitem(last=False)
        self.release(key)

    def release(self, key: Hashable) -> None:
        """The claimed page will not be kept (an error, a redirect): waiters render."""
        with self._lock:
            rendering = self._rendering.pop(key, None)
        if rendering is not None:
            rendering.set()

    def clear(self) -> None:
        """Forget every page, and pages whose rendering began before now."""
        with self._lock:
            self._pages.clear()
            self._cleared_at = time.monotonic()


def install(app: Flask, cache: PageCache) -> None:
    """Register the hooks. Call after ``security.install`` (the caller must be known)
    and after compression is set up (pages are stored before they are compressed)."""

    @app.before_request
    def _from_cache() -> Response | None:
        if request.method != "GET" or request.endpoint not in ENDPOINTS:
            return None
        user = g.get("user")
        generation = context.pool().generation() if user is not None else None
        if generation is None:
            return None
        key = (user.name, user.role, request.full_path)
        claimed = cache.claim(key, generation)
        if isinstance(claimed, Page):
            return _respond(claimed)
        if claimed:
            setattr(g, CLAIM_KEY, (key, generation, time.monotonic()))
        security.defer_csrf()
        return None

    @app.after_request
    def _into_cache(response: Response) -> Response:
        if request.method == "POST" and response.status_code < 400:
            cache.clear()
        claim = g.pop(CLAIM_KEY, None)
        if not security.csrf_deferred():
            return response
        if claim is not None and response.status_code == 200 and not response.is_streamed:
            key, generation, started = claim
            body = response.get_data()
            cache.put(key, Page(
                body, response.mimetype or "text/html", generation, started,
                None if security.CSRF_PLACEHOLDER_BYTES in body
                else gzip.compress(body, GZIP_LEVEL, mtime=0),
            ))
        elif claim is not None:
            cache.release(claim[0])
        if not response.is_streamed:
            response.set_data(_with_tokens(response.get_data()))
        return response

    @app.teardown_request
    def _release(error: BaseException | None) -> None:
        claim = g.pop(CLAIM_KEY, None)
        if claim is not None:
            cache.release(claim[0])


def _respond(page: Page) -> Response:
    if page.gzipped is not None and request.accept_encodings.quality("gzip") > 0:
        response = Response(page.gzipped, mimetype=page.mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        return response
    return Response(_with_tokens(page.body), mimetype=page.mimetype)


def _with_tokens(body: bytes) -> bytes:
    """Each placeholder replaced by a freshly masked CSRF token of this session."""
    if security.CSRF_PLACEHOLDER_BYTES not in body:
        return body
    parts = body.split(security.CSRF_PLACEHOLDER_BYTES)
    out = [parts[0]]
    for part in parts[1:]:
        out += [security.real_csrf_token().encode("ascii"), part]
    return b"".join(out)
