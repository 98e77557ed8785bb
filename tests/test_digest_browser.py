"""The digest HTML in real headless Chromium: a screenshot artifact, and nothing loaded.

Chromium runs with an HTTP proxy that only records requests, so any resource the
page tried to load from anywhere (images, fonts, stylesheets) shows up. The
browser's own service traffic (time, update and account checks) is set aside.
Skips without /usr/bin/chromium, except under CI=true where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index import open_store
from reports.digest import build_digest
from reports.digest_model import Period
from reports.render import render_digest
from tests.report_fixtures import build_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BROWSER_SERVICE_HOSTS = (
    "clients2.google.com", "redirector.gvt1.com", "update.googleapis.com",
    "accounts.google.com", "optimizationguide-pa.googleapis.com",
)
LOADING_ATTRIBUTES = {"src", "srcset", "background", "poster", "data", "action", "formaction"}

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install -y chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test cannot run under CI=true: {reason}")
        pytest.skip(reason)
    return CHROMIUM


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def do_CONNECT(self):  # noqa: N802
        type(self).requests.append(f"https://{self.path}")
        self.send_response(403)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def recording_proxy() -> Iterator[tuple[int, list[str]]]:
    handler = type("Recorder", (_Recorder,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.requests
    finally:
        server.shutdown()
        server.server_close()


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LOADING_ATTRIBUTES or (tag == "link" and name == "href"):
                self.loaded.append(f"{tag} {name}={value}")
            elif name == "href":
                self.links.append(value or "")
            elif name == "style" and value and "url(" in value:
                self.loaded.append(f"{tag} style={value}")


def test_the_digest_renders_in_chromium_without_loading_anything(chromium, tmp_path):
    docs = build_store(tmp_path / "data")
    store = open_store({"backend": "sqlite"}, tmp_path / "data")
    try:
        digest = build_digest(store, Period.ending(date(2021, 4, 25)),
                              now=datetime(2021, 4, 26, 0, 30, tzinfo=UTC))
    finally:
        store.close()
    html = render_digest(digest).html
    page = tmp_path / "digest.html"
    page.write_text(html, encoding="utf-8")

    parsed = _Resources()
    parsed.feed(html)
    assert parsed.loaded == []
    assert "@import" not in html and "<script" not in html
    assert set(parsed.links) <= {doc.url for doc in docs}

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "digest.png"
    screenshot.unlink(missing_ok=True)
    with recording_proxy() as (port, requests):
        completed = subprocess.run(
            [
                str(chromium), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--hide-scrollbars",
                f"--proxy-server=http://127.0.0.1:{port}", "--proxy-bypass-list=<-loopback>",
                f"--screenshot={screenshot}", "--window-size=1000,2000", page.as_uri(),
            ],
            capture_output=True, text=True, timeout=180,
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    page_requests = [r for r in requests if not any(h in r for h in BROWSER_SERVICE_HOSTS)]
    assert page_requests == []
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
