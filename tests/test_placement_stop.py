"""Incident placement asked to stop: between two documents, keeping what it placed, the
rest waiting for the next update; and ``hotwatch crawl`` stopping so on SIGTERM.

The unit tests run on SQLite and on Elasticsearch (a real node at ``HOTWATCH_ES_URL``).
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from hotwatch.demo.synthetic import synthetic_site
from index import StoredDocument, open_store
from index.consistency import check_store
from index.incidents import rebuild_incidents, update_incidents
from tests.counting_site import CountingSite
from tests.frontier_processes import hotwatch
from tests.test_incidents import OTHER_CITY, START, _stored
from tests.test_incremental_incidents import (  # noqa: F401 (stores: a fixture)
    NOW,
    incidents_of,
    records_of,
    states_of,
    stores,
    story_corpus,
)


def stop_after(documents: int) -> Callable[[], bool]:
    """A ``stop`` that rises when asked before the document after ``documents``."""
    asked = itertools.count()
    return lambda: next(asked) >= documents


def test_a_stopped_update_keeps_what_it_placed_and_the_rest_waits(stores):  # noqa: F811
    docs = story_corpus()
    whole, halves = stores("whole"), stores("halves")
    for store in (whole, halves):
        store.upsert_many(docs[:1])
        update_incidents(store, now=NOW)  # placed once: later updates are incremental
        store.upsert_many(docs[1:])
    update_incidents(whole, now=NOW)
    placed = (len(docs) - 1) // 2
    update_incidents(halves, now=NOW, stop=stop_after(placed))

    findings = check_store(halves)
    assert [(f.kind, f.count) for f in findings] == [("unplaced", len(docs) - 1 - placed)]
    update_incidents(halves, now=NOW)
    assert check_store(halves) == []
    assert incidents_of(halves) == incidents_of(whole)
    assert records_of(halves) == records_of(whole)
    assert states_of(halves) == states_of(whole)


def test_a_stopped_first_placement_keeps_nothing_and_the_next_starts_again(stores):  # noqa: F811
    docs = story_corpus()
    store, rebuilt = stores("store"), stores("rebuilt")
    store.upsert_many(docs)
    assert update_incidents(store, now=NOW, stop=stop_after(5)) == 0
    if store.backend == "sqlite":  # one transaction, rolled back
        assert [(f.kind, f.count) for f in check_store(store)] == [("unplaced", len(docs))]
    update_incidents(store, now=NOW)
    rebuilt.upsert_many(docs)
    rebuild_incidents(rebuilt, now=NOW)
    assert check_store(store) == []
    assert incidents_of(store) == incidents_of(rebuilt)


#: Documents waiting for placement when the crawl's own are placed: enough that a signal
#: sent a fraction of a second in finds most still waiting (2,000 took 1 s in late 2026).
BACKLOG = 5000


def backlog(count: int) -> list[StoredDocument]:
    """Reports of one failure in many cities, a minute apart, after ``START``."""
    title, text = OTHER_CITY
    return [
        _stored(f"https://backlog{n}.example.cn/r", (f"{title}（{n}）", f"{text}第{n}号"),
                1 + n / 1440)
        for n in range(count)
    ]


def test_hotwatch_crawl_stops_placing_incidents_on_sigterm(tmp_path: Path):
    data = tmp_path / "data"
    store = open_store({"backend": "sqlite"}, data)
    try:
        store.upsert_many([_stored("https://first.example.cn/r", OTHER_CITY, 0)])
        update_incidents(store, now=START + timedelta(days=1))
        store.upsert_many(backlog(BACKLOG))  # waiting: 2-3 s of placement on this machine
    finally:
        store.close()
    with CountingSite(synthetic_site(6)) as site:
        config = tmp_path / "hotwatch.toml"
        config.write_text(
            "[crawl]\nautothrottle = false\nanalysis_workers = 0\n\n[[sources]]\n"
            f'name = "synthetic"\ntype = "site"\nstart_urls = ["{site.url}/news/index.html"]\n',
            encoding="utf-8",
        )
        process = hotwatch(config, "data", "-v", "crawl", "--json")
        placing = threading.Event()
        lines: list[str] = []

        def read_log() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)
                if "placing the waiting documents in incidents" in line:
                    placing.set()

        reader = threading.Thread(target=read_log, daemon=True)
        reader.start()
        deadline = time.monotonic() + 300
        while not placing.wait(timeout=0.2):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines[-20:])
        time.sleep(0.3)  # a few documents in
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        try:
            stdout = process.stdout.read() if process.stdout else ""
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        stopped_in = time.monotonic() - sent
        reader.join(timeout=10)

    log = "".join(lines)
    assert process.returncode == 0, log[-2000:]
    assert "Traceback" not in log
    assert "incidents partly updated: stopped by a signal" in log
    assert '"sources"' in stdout
    assert stopped_in < 30
    store = open_store({"backend": "sqlite"}, data)
    try:
        findings = check_store(store)
        kinds = [f.kind for f in findings]
        assert kinds == ["unplaced"], [f.line() for f in findings]  # nothing half placed
        assert 0 < findings[0].count < BACKLOG + 6
        update_incidents(store)  # the next run places the rest
        assert check_store(store) == []
    finally:
        store.close()
