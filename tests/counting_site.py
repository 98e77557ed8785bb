"""A generated news site on loopback that counts every path requested (``requests``), so a
test can tell how often each article was fetched, whichever process fetched it. It also
keeps the most requests it ever served at once (``most_at_once``); ``delay`` holds each
answer that long, so requests that may overlap do. Clearing ``answering`` holds every
answer (counted as under way) until it is set again."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from hotwatch.demo.site import Site
from tests.quiet_handler import QuietHandler

ARTICLE = re.compile(r"^/news/\d{4}/\d{2}/\d{2}/a\d+\.html$")


class CountingSite:
    def __init__(self, site: Site, *, delay: float = 0.0) -> None:
        self.site = site
        self.delay = delay
        self.requests: Counter[str] = Counter()
        self.at_once = 0
        self.most_at_once = 0
        self.answering = threading.Event()
        self.answering.set()
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"owner": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CountingSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def article_paths(self) -> set[str]:
        return {path for path in self.site.pages if ARTICLE.search(path)}


class _Handler(QuietHandler):
    owner: CountingSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        owner = self.owner
        path = urlsplit(self.path).path
        with owner.lock:
            owner.requests[path] += 1
            owner.at_once += 1
            owner.most_at_once = max(owner.most_at_once, owner.at_once)
        owner.answering.wait()
        time.sleep(owner.delay)
        # Counted done before answering: a client that has the answer may send its next
        # request before this thread would get past the write.
        with owner.lock:
            owner.at_once -= 1
        self.answer(path)

    def answer(self, path: str) -> None:
        page = self.owner.site.pages.get(path)
        if page is None:
            self.send_error(404)
            return
        self.reply(200, *page)
