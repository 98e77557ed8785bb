"""The analysis worker process: jobs in on one pipe, answers out on another; no Scrapy.

Each job is one pickled ``(job id, function, args, kwargs)`` frame; the answer is
``(job id, True, result)`` or ``(job id, False, exception)``. Frames are
``multiprocessing.Connection``'s (a 4-byte big-endian length, or -1 and an 8-byte one),
so the worker reads and writes with ``recv_bytes``/``send_bytes`` while the crawler
process reads and writes the same frames without blocking its reactor
(``crawler.pipelines.worker``). The worker ends at the end of its job pipe (the crawl
is done, or the crawler died) or when its parent is gone (``watch_parent``).
"""

from __future__ import annotations

import pickle
import signal
import struct
from multiprocessing.connection import Connection

from crawler.lifeline import watch_parent

_SHORT = struct.Struct("!i")
_LONG = struct.Struct("!Q")


def serve(jobs: Connection, answers: Connection, parent_pid: int) -> None:
    """Run jobs until the job pipe ends (the process's target)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the crawler's to handle
    watch_parent(parent_pid)
    while True:
        try:
            frame = jobs.recv_bytes()
        except EOFError:
            return
        job_id, function, args, kwargs = pickle.loads(frame)
        try:
            answer = (job_id, True, function(*args, **kwargs))
        except Exception as error:  # the crawler re-raises it, as an inline call would
            answer = (job_id, False, error)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an unpicklable result or exception
            data = pickle.dumps((job_id, False, RuntimeError(f"{type(error).__name__}: {error}")))
        answers.send_bytes(data)


def frame(payload: bytes) -> tuple[bytes, bytes]:
    """``payload`` framed as ``Connection.send_bytes`` frames it: header and payload."""
    if len(payload) > 0x7FFFFFFF:
        return _SHORT.pack(-1) + _LONG.pack(len(payload)), payload
    return _SHORT.pack(len(payload)), payload


def unframe(buffer: bytearray) -> list[bytes]:
    """Take every whole frame off the front of ``buffer`` (what is left is incomplete)."""
    frames = []
    while len(buffer) >= _SHORT.size:
        (size,) = _SHORT.unpack_from(buffer)
        header = _SHORT.size
        if size == -1:
            if len(buffer) < _SHORT.size + _LONG.size:
                break
            (size,) = _LONG.unpack_from(buffer, _SHORT.size)
            header += _LONG.size
        if len(buffer) < header + size:
            break
        frames.append(bytes(buffer[header : header + size]))
        del buffer[: header + size]
    return frames
