"""Run the web app under gunicorn (``hotwatch serve --server gunicorn``): pre-forked
worker processes, each with threads.

Workers run Python in parallel where one process of threads shares a GIL, but each
fills its own one-minute caches; on two shared cores waitress measured faster
(``bench/web_load.py``), so gunicorn is the option for machines with more cores.

Each worker builds its own app (``factory``) after the fork, so every process has its
own store connections. SIGTERM lets the requests under way finish (``graceful``
seconds) before the workers exit; each request is written to the access log.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
STOPPING = {signal.SIGTERM, signal.SIGINT}


class ProductionServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with the options given here, not read from its command line or files."""

    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)
        # gunicorn >= 25.1 also serves a control socket at one path per user
        # (~/.gunicorn/gunicorn.ctl), so two servers on a machine take it from each
        # other, and its thread adds up to 4 s to every stop; hotwatch never uses it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        return self.factory()

    def run(self) -> None:
        try:
            _Arbiter(self).run()
        except RuntimeError as error:  # as BaseApplication.run says it
            print(f"\nError: {error}\n", file=sys.stderr, flush=True)
            sys.exit(1)


class _Arbiter(Arbiter):  # type: ignore[misc]
    """A forked worker runs the master's signal handlers until it sets its own, and
    those only queue the signal in the worker's copy of the master: a SIGTERM then (a
    stop while workers boot) was lost, and the stop waited the graceful timeout for a
    worker that never heard it. SIGTERM and SIGINT are held across the fork; the worker
    lets them through with their default action (``_unblock_in_worker``), so one that
    comes before its handlers ends it at once: it has served nothing yet."""

    def spawn_worker(self) -> int:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
        try:
            return int(super().spawn_worker())  # the worker never returns here
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _unblock_in_worker(server: Any, worker: Any) -> None:
    for number in STOPPING:
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


def gunicorn_options(
    host: str, port: int, *, workers: int, threads: int, access_log: str | None,
    graceful: int = 20,
) -> dict[str, Any]:
    shown = f"[{host}]" if ":" in host else host
    return {
        "bind": [f"{shown}:{port}"],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "graceful_timeout": graceful,
        # A search on a large store may take seconds; only a stuck worker is restarted.
        "timeout": 120,
        "keepalive": 5,
        "proc_name": "hotwatch-web",
        "when_ready": _announce,
        "post_fork": _unblock_in_worker,
        # Each worker opens its own store after the fork (no shared connections).
        "preload_app": False,
    }


def _announce(server: Any) -> None:
    """Print the address the master listens on (the real port when port 0 was asked)."""
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"hotwatch: serving on http://{shown}:{port}/ (gunicorn, "
              f"{server.num_workers} workers x {server.cfg.threads} threads; "
              "SIGTERM or Ctrl+C to stop)", flush=True)
    sys.stdout.flush()
