"""Stopping work between steps on SIGTERM or Ctrl+C instead of dying in the middle."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals() -> Iterator[Callable[[], bool]]:
    """Within: SIGTERM and SIGINT only set a flag; the callable given says whether one
    came, for the work to ask between its steps. The handlers before are put back after.
    Outside the main thread (where Python cannot handle signals) the flag never rises."""
    stopped = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopped.is_set
        return

    def handler(signum: int, frame: Any) -> None:
        stopped.set()  # no logging here: the interrupted code may be writing the same stream

    previous = {number: signal.signal(number, handler) for number in SIGNALS}
    try:
        yield stopped.is_set
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@contextmanager
def signal_handlers_kept() -> Iterator[None]:
    """Put back the SIGTERM and SIGINT handlers of before: Scrapy's stay installed after
    its crawl and only ask its stopped reactor, so later signals went unanswered."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in SIGNALS}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
