"""Which processes descend from a pid, read from /proc (Linux), for the orphan checks."""

from __future__ import annotations

import time
from pathlib import Path


def parents() -> dict[int, int]:
    """Every live (non-zombie) process and its parent pid."""
    table: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        state, ppid = text[text.rindex(")") + 2 :].split()[:2]
        if state != "Z":
            table[int(stat.parent.name)] = int(ppid)
    return table


def descendants(pid: int) -> set[int]:
    table = parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in table.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pids: set[int]) -> set[int]:
    return pids & set(parents())


def wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)
