"""A loopback stand-in for the Weibo mobile API, replaying ``tests/fixtures/weibo/*.json``.

``python -m tests.weibo_server`` binds 127.0.0.1:0, prints its base URL on the first
line and serves until killed. A source's ``api_base`` is ``<url>/<scenario>``:

- ``ok``: the fixtures: keyword search (``/api/container/getIndex?containerid=100103
  type=1&q=...&page=N``), user timelines (``containerid=107603<uid>``, paged by
  ``since_id``), long texts (``/statuses/extend?id=...``); a page past the last is
  ``ok: 0`` ("这里还没有内容").
- ``later``: the same, with the counts of the first search page grown (a re-crawl).
- ``flaky``: the first request for each address answers HTTP 418, later ones as ``ok``.
- ``blocked``: always HTTP 418. ``login``: ``{"ok": -100, "url": <login page>}``.
  ``captcha``: an HTML verification page. ``broken``: a cut-off JSON body.

A scenario may carry a suffix (``ok-again``) to keep one test's requests apart.
``/_requests`` lists every request so far as ``{"path", "cookie", "time"}``. The
``weibo_url`` fixture starts the server once per test session.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.quiet_handler import QuietHandler
from tests.subprocess_server import serve_and_announce, server_url

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "weibo"
REQUEST_LOG = "/_requests"
SEARCH_FIXTURES = {"郑州12345": "search-zhengzhou", "市长热线 打不通": "search-hotline"}
SEARCH_PREFIX = "100103"
USER_PREFIX = "107603"
LOGIN_URL = "https://passport.weibo.cn/signin/welcome?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F"
CAPTCHA_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>微博-出错了</title></head>"
    "<body><p>为了您的账号安全，请输入验证码</p><img src='/captcha.png'></body></html>"
)
BROKEN_JSON = b'{"ok":1,"data":{"cardlistInfo":{"page":2},"cards":[{"card_type":9,"mblog":{"id":'

Reply = tuple[int, bytes, str]


def fixture(name: str) -> bytes | None:
    path = FIXTURES / f"{name}.json"
    return path.read_bytes() if path.is_file() else None


def api_reply(path: str, query: dict[str, list[str]], *, later: bool = False) -> Reply:
    """The fixture answer for one API address (``ok`` and ``later`` scenarios)."""
    if path == "/statuses/extend":
        body = fixture(f"extend-{query.get('id', [''])[0]}")
        return (200, body, "application/json") if body else not_found()
    if path != "/api/container/getIndex":
        return not_found()
    container = query.get("containerid", [""])[0]
    if container.startswith(SEARCH_PREFIX):
        keyword = parse_qs(container.removeprefix(SEARCH_PREFIX)).get("q", [""])[0]
        page = query.get("page", ["1"])[0]
        name = f"{SEARCH_FIXTURES.get(keyword, 'none')}-p{page}"
        body = (later and fixture(f"{name}-later")) or fixture(name)
    elif container.startswith(USER_PREFIX):
        since_id = query.get("since_id", [""])[0]
        uid = container.removeprefix(USER_PREFIX)
        body = fixture(f"user-{uid}-after-{since_id}" if since_id else f"user-{uid}")
    else:
        return not_found()
    return 200, body or fixture("end") or b"", "application/json; charset=utf-8"


def not_found() -> Reply:
    return 404, b'{"ok":0,"msg":"not found"}', "application/json"


def make_handler() -> type[BaseHTTPRequestHandler]:
    requested: list[dict[str, str]] = []
    seen_by_flaky: set[str] = set()
    lock = threading.Lock()

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            if self.path == REQUEST_LOG:
                with lock:
                    self.reply(200, json.dumps(requested).encode(), "application/json")
                return
            with lock:
                requested.append(
                    {
                        "path": self.path,
                        "cookie": self.headers.get("Cookie", ""),
                        "time": time.monotonic(),
                    }
                )
            self.reply(*self.answer())

        def answer(self) -> Reply:
            parts = urlsplit(self.path)
            prefix, _, path = parts.path.lstrip("/").partition("/")
            scenario = prefix.partition("-")[0]
            query = parse_qs(parts.query)
            if scenario == "blocked":
                return 418, b"", "text/html"
            if scenario == "login":
                body = json.dumps({"ok": -100, "url": LOGIN_URL}).encode()
                return 200, body, "application/json; charset=utf-8"
            if scenario == "captcha":
                return 200, CAPTCHA_PAGE.encode(), "text/html; charset=utf-8"
            if scenario == "broken":
                return 200, BROKEN_JSON, "application/json; charset=utf-8"
            if scenario == "flaky":
                with lock:
                    first = self.path not in seen_by_flaky
                    seen_by_flaky.add(self.path)
                if first:
                    return 418, b"", "text/html"
            if scenario in ("ok", "later", "flaky"):
                return api_reply(f"/{path}", query, later=scenario == "later")
            return not_found()

    return Handler


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler())
    serve_and_announce(httpd)


@pytest.fixture(scope="session")
def weibo_url() -> Iterator[str]:
    """Base URL of the stand-in API, served by a subprocess for the whole session."""
    yield from server_url(__name__, "the Weibo stand-in")


if __name__ == "__main__":
    main()
