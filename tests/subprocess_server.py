"""Serve a test HTTP server from a subprocess and hand its base URL to fixtures.

A server in its own process answers while a crawl in the test process blocks the
reactor, and is killed for certain when the session ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

from crawler.lifeline import watch_parent

ROOT = Path(__file__).resolve().parents[1]


def serve_and_announce(httpd: ThreadingHTTPServer) -> None:
    """In the server process: print the base URL (the parent reads it), then serve until
    killed or until the test process is gone (a killed pytest leaves no server behind)."""
    watch_parent(os.getppid())
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    httpd.serve_forever()


def server_url(module: str, label: str) -> Iterator[str]:
    """In the test process: run ``python -m module`` and yield the URL it prints, then kill it."""
    for urls in server_urls(module, label, lines=1):
        yield urls[0]


def server_urls(module: str, label: str, *, lines: int) -> Iterator[list[str]]:
    """Like ``server_url`` for a server that prints ``lines`` base URLs, one a line."""
    process = subprocess.Popen(
        [sys.executable, "-m", module], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        urls = [process.stdout.readline().strip() for _ in range(lines)]
        if not all(url.startswith("http://127.0.0.1:") for url in urls):
            raise RuntimeError(f"{label} did not start (printed {urls!r})")
        yield urls
    finally:
        process.kill()
        process.wait()
