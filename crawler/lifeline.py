"""Child processes that end themselves when their parent dies, whatever killed it.

A crawl killed with SIGKILL cannot shut its children down, and a child blocked on
its parent's queue never notices: it lives on as an orphan (with the multiprocessing
resource tracker, which waits for every holder of its pipe). ``watch_parent`` runs in
the child: a daemon thread compares ``os.getppid()`` with the parent's pid (an orphan
is adopted by init or a subreaper, so the pid changes) and exits at once.

A polling thread rather than ``prctl(PR_SET_PDEATHSIG)``: the death signal fires when
the *thread* that started the child ends, which is not the parent's death when a
pool spawns its workers from a short-lived thread, and it exists on Linux only.
"""

from __future__ import annotations

import os
import threading
import time

POLL_SECONDS = 0.5


def watch_parent(parent_pid: int, *, poll_seconds: float = POLL_SECONDS) -> None:
    """Exit this process as soon as ``parent_pid`` is no longer its parent."""
    if os.getppid() != parent_pid:  # the parent died before the child got here
        os._exit(1)
    thread = threading.Thread(
        target=_poll, args=(parent_pid, poll_seconds), name="parent-watch", daemon=True
    )
    thread.start()


def _poll(parent_pid: int, poll_seconds: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll_seconds)
    # os._exit, not sys.exit: no cleanup may wait on the parent that is gone.
    os._exit(1)
