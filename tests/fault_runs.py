"""Real crawls for the fault-injection suite: the CLI in a child process against a loopback
synthetic site, and what a finished store holds, to compare with an undisturbed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index import open_store
from tests.process_tree import descendants

ROOT = Path(__file__).resolve().parents[1]
CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 5
autothrottle = false
retry_times = 1
analysis_workers = {workers}

[index]
backend = "sqlite"

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{url}/news/index.html"]
tier = 3
"""


@dataclass(frozen=True)
class Outcome:
    """What a store holds after a run: enough to tell lost, doubled and regrouped documents."""

    urls: Counter[str]
    incidents: frozenset[frozenset[str]]  # each incident as the set of its member URLs

    def lost(self, reference: Outcome) -> int:
        return len(set(reference.urls) - set(self.urls))

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.urls.values() if n > 1)

    def incidents_differing(self, reference: Outcome) -> int:
        return len(self.incidents ^ reference.incidents)


def write_config(tmp: Path, url: str, *, workers: int = 1, extra: str = "") -> Path:
    path = tmp / "hotwatch.toml"
    path.write_text(CONFIG.format(url=url, workers=workers) + extra, encoding="utf-8")
    return path


def command(tmp: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "hotwatch", "--config", str(tmp / "hotwatch.toml"),
        "--data-dir", str(tmp / "data"), *args,
    ]


def run(tmp: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(tmp, *args), capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def start(tmp: Path, *args: str) -> subprocess.Popen[bytes]:
    log = (tmp / "killed-run.log").open("ab")
    return subprocess.Popen(command(tmp, *args), stdout=log, stderr=log, cwd=ROOT)


def kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], *, after: float
) -> set[int] | None:
    """SIGKILL ``process`` ``after`` seconds past the moment ``ready()`` holds; returns the
    pids of its descendants just before the kill, or None when it ended before that."""
    deadline = time.monotonic() + 120
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(after)
    children = descendants(process.pid)
    if process.poll() is not None:
        return None
    try:
        os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended just now
        return None
    process.wait()
    return children


def stored_documents(tmp: Path) -> int:
    """Documents committed so far (read while a crawl writes: WAL readers never block it)."""
    path = tmp / "data"
    if not (path / "hotwatch.db").exists():
        return 0
    store = open_store({"backend": "sqlite"}, path)
    try:
        return int(store.stats()["documents"])
    finally:
        store.close()


def outcome(tmp: Path) -> Outcome:
    store = open_store({"backend": "sqlite"}, tmp / "data")
    try:
        urls: Counter[str] = Counter()
        members: dict[str, set[str]] = {}
        for doc in store.iter_documents():
            urls[doc.url] += 1
            if doc.incident_id:
                members.setdefault(doc.incident_id, set()).add(doc.url)
        return Outcome(urls, frozenset(frozenset(m) for m in members.values()))
    finally:
        store.close()
