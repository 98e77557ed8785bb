"""A loopback HTTP proxy in front of a real Elasticsearch node that can answer with errors.

``FaultyProxy(node_url)`` listens on 127.0.0.1:0 and forwards every request. Faults
are set per path fragment: ``proxy.fail("_bulk", status=429, times=2)`` answers the
next two bulk requests with 429 (like a node whose write queue is full) without
forwarding them; ``times=None`` keeps failing until ``proxy.heal()``.
``proxy.hold_when(condition)`` forwards the first request whose path meets the condition
and then holds its answer (``holding`` is set) until ``release()``: the node did the work
but the client has not heard, e.g. while the test kills the client.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.quiet_handler import QuietHandler

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


@dataclass
class Fault:
    fragment: str
    status: int
    times: int | None  # None: until healed


@dataclass
class FaultyProxy:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    failed: dict[int, int] = field(default_factory=dict)  # answers injected, by status
    forwarded: int = 0
    hold: Callable[[str], bool] | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, fragment: str, *, status: int, times: int | None) -> None:
        with self.lock:
            self.faults.append(Fault(fragment, status, times))

    def hold_when(self, condition: Callable[[str], bool]) -> None:
        self.hold = condition

    def release(self) -> None:
        self.released.set()

    def holds(self, path: str) -> bool:
        """Whether this request's answer is the one to hold (the first that qualifies)."""
        with self.lock:
            if self.hold is None or self.holding.is_set() or not self.hold(path):
                return False
            self.holding.set()
            return True

    def heal(self) -> None:
        with self.lock:
            self.faults.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def injected_status(self, path: str) -> int | None:
        with self.lock:
            for fault in self.faults:
                if fault.fragment in path and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    self.failed[fault.status] = self.failed.get(fault.status, 0) + 1
                    return fault.status
            self.forwarded += 1
            return None


def _handler(proxy: FaultyProxy) -> type[BaseHTTPRequestHandler]:
    upstream = urlsplit(proxy.upstream)

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            status = proxy.injected_status(self.path)
            if status is not None:
                payload = json.dumps(
                    {"error": {"type": "injected_by_test_proxy"}, "status": status}
                ).encode()
                self._answer(status, [("Content-Type", "application/json")], payload)
                return
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS]
                if proxy.holds(self.path):
                    proxy.released.wait(300)
                try:
                    self._answer(response.status, kept, data)
                except OSError:  # the client was killed while its answer was held
                    pass
            finally:
                connection.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

    return Handler
