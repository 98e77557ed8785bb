"""A generated news site on loopback that counts every path requested (``requests``), so a
test can tell how often each article was fetched, whichever process fetched it."""

from __future__ import annotations

import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from hotwatch.demo.site import Site

ARTICLE = re.compile(r"^/news/\d{4}/\d{2}/\d{2}/a\d+\.html$")


class CountingSite:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.requests: Counter[str] = Counter()
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


class _Handler(BaseHTTPRequestHandler):
    owner: CountingSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        path = urlsplit(self.path).path
        with self.owner.lock:
            self.owner.requests[path] += 1
        page = self.owner.site.pages.get(path)
        if page is None:
            self.send_error(404)
            return
        body, content_type = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass
