"""Run the web app under waitress: one process, a pool of threads.

Chosen by measurement (``bench/web_load.py``, README): on two shared cores one process
of threads answered more requests a second than gunicorn's worker processes, since the
threads share the app's one-minute caches (facet counts, the incident lists) that each
gunicorn worker has to fill on its own, and SQLite reads run outside the GIL anyway.

SIGTERM (or Ctrl+C) stops accepting connections, lets the requests under way finish
and be sent (at most ``graceful`` seconds), then exits with status 0.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from waitress import wasyncore
from waitress.server import create_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AccessLog:
    """WSGI middleware: one line per request once its body is sent, like gunicorn's
    ``h "r" s B Mms "a"``."""

    def __init__(self, app: WSGIApp, stream: IO[str]) -> None:
        self.app, self.stream = app, stream
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterator[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def recording(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[:] = [code.split(" ", 1)[0]]
            return start_response(code, headers, exc_info)

        body = self.app(environ, recording)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self._write(environ, status[0] if status else "-", size, started)

    def _write(self, environ: dict[str, Any], status: str, size: int, started: float) -> None:
        target = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        took = (time.perf_counter() - started) * 1000
        line = (
            f'{environ.get("REMOTE_ADDR", "-")} "{environ.get("REQUEST_METHOD", "-")} {target} '
            f'{environ.get("SERVER_PROTOCOL", "-")}" {status} {size} '
            f'{took:.0f}ms "{environ.get("HTTP_USER_AGENT", "-")}"'
        )
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()


def serve_threaded(
    app: WSGIApp,
    host: str,
    port: int,
    *,
    threads: int,
    access_log: IO[str] | None,
    announce: Callable[[str, int], None],
    graceful: float = 20.0,
) -> None:
    """Serve until SIGTERM or Ctrl+C; ``announce(host, port)`` once listening."""
    wsgi = AccessLog(app, access_log) if access_log is not None else app
    server: Any = create_server(
        wsgi, host=host.strip("[]"), port=port, threads=threads, ident="hotwatch",
        # Keep-alive connections idle this long are closed; a slow search still finishes.
        channel_timeout=60, clear_untrusted_proxy_headers=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    announce(host, server.effective_port)
    deadline = 0.0
    try:
        while True:
            try:
                server.asyncore.loop(timeout=0.5, map=server._map, use_poll=True, count=1)
            except KeyboardInterrupt:
                stop.set()
            if not stop.is_set():
                continue
            if not deadline:
                deadline = time.monotonic() + graceful
                _stop_accepting(server)
            if not _busy(server) or time.monotonic() > deadline:
                break
    finally:
        server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(server._map)


def _stop_accepting(server: Any) -> None:
    server.accepting = False
    server.del_channel()
    server.socket.close()


def _busy(server: Any) -> bool:
    """Whether a request is queued, running, or has a response left to send."""
    dispatcher = server.task_dispatcher
    if dispatcher.active_count or dispatcher.queue:
        return True
    return any(
        channel.requests or getattr(channel, "total_outbufs_len", 0)
        for channel in list(server._map.values())
        if channel is not server and hasattr(channel, "requests")
    )
