"""Serve a ``Site`` on 127.0.0.1 from a background thread."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from hotwatch.demo.site import Site


class SiteServer:
    """A running server; ``url`` is its base URL with the port actually bound."""

    def __init__(self, site: Site, host: str, port: int) -> None:
        handler = type("SiteHandler", (_SiteHandler,), {"site": site})
        self.httpd = _QuietServer((host, port), handler)
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def serve(site: Site, *, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Serve ``site`` from a daemon thread; port 0 binds a free port (see ``SiteServer.url``)."""
    return SiteServer(site, host, port)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up early (timeouts, size limits) are not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _SiteHandler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        body = self._head()
        if body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 (the http.server API)
        self._head()

    def _head(self) -> bytes:
        """Send the status and headers; return the body to send (empty after a 404)."""
        page = self.site.pages.get(urlsplit(self.path).path)
        if page is None:
            self.send_error(404)
            return b""
        body, content_type = page
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return body

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return
