"""SIGKILL of a real crawl at several moments: no process of ours outlives it, and a rerun
ends with what an undisturbed crawl of the same site stores (every article once, the same
incidents)."""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import tantivy

from hotwatch.config import load_config
from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site
from hotwatch.web import create_app
from index import open_store
from index.tantivy_index import ROW_COLUMNS, entry, schema
from tests.fault_runs import (
    Outcome,
    command,
    kill_when,
    outcome,
    run,
    start,
    stored_documents,
    write_config,
)
from tests.fault_table import record
from tests.process_tree import command_line, descendants, wait_until_gone

pytestmark = pytest.mark.faults
ARTICLES = 160
ORPHAN_SECONDS = 5


@pytest.fixture(scope="module")
def site():
    with serve(synthetic_site(ARTICLES, seed=23)) as server:
        yield server.url


@pytest.fixture(scope="module")
def undisturbed(site, tmp_path_factory) -> Outcome:
    tmp = tmp_path_factory.mktemp("undisturbed")
    write_config(tmp, site)
    result = run(tmp, "crawl")
    assert result.returncode == 0, result.stderr
    return outcome(tmp)


def has_worker(pid: int) -> bool:
    return any("multiprocessing" in command_line(child) for child in descendants(pid))


# Moments: as the analysis worker starts, with some documents stored, deep into the crawl.
@pytest.mark.parametrize("stored_before_kill", [0, 20, 80])
def test_killed_crawl_leaves_no_process_and_a_rerun_equals_an_undisturbed_crawl(
    site, undisturbed, tmp_path: Path, stored_before_kill: int
):
    write_config(tmp_path, site)
    crawl = start(tmp_path, "crawl")

    def ready() -> bool:
        return has_worker(crawl.pid) and stored_documents(tmp_path) >= stored_before_kill

    children = kill_when(crawl, ready, after=0.2)
    assert children, "the crawl had started no child process"
    survivors = wait_until_gone(children, ORPHAN_SECONDS)

    result = run(tmp_path, "crawl")
    after = outcome(tmp_path)
    record("crawl SIGKILLed", lost=after.lost(undisturbed), duplicates=after.duplicates(),
           incidents=after.incidents_differing(undisturbed), orphans=len(survivors))
    assert result.returncode == 0, result.stderr
    assert after.lost(undisturbed) == 0
    assert after.duplicates() == 0
    assert set(after.urls) == set(undisturbed.urls)
    assert after.incidents_differing(undisturbed) == 0
    assert not survivors, [command_line(pid) for pid in survivors]


def limit_file_size(limit: int) -> Callable[[], None]:
    """A full disk for one child: writes past ``limit`` bytes fail (Python ignores SIGXFSZ,
    so the write returns EFBIG instead of killing the process)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_stops_the_crawl_with_one_line_and_the_next_crawl_resumes(
    site, undisturbed, tmp_path: Path
):
    write_config(tmp_path, site)
    full = subprocess.run(
        command(tmp_path, "crawl"), capture_output=True, text=True, timeout=300,
        preexec_fn=limit_file_size(800_000),
    )
    assert "Traceback" not in full.stderr
    refused = [line for line in full.stderr.splitlines() if "cannot write to store" in line]
    assert refused and all(line.count("\n") == 0 for line in refused)
    assert refused[0].endswith("disk I/O error (is the disk full?); stopping the crawl")

    kept = stored_documents(tmp_path)  # the store still opens, with what was committed
    assert 0 < kept < ARTICLES

    result = run(tmp_path, "crawl")
    after = outcome(tmp_path)
    record("disk full (RLIMIT_FSIZE)", lost=after.lost(undisturbed),
           duplicates=after.duplicates(), incidents=after.incidents_differing(undisturbed))
    assert result.returncode == 0, result.stderr
    assert (after.lost(undisturbed), after.duplicates()) == (0, 0)
    assert after.incidents_differing(undisturbed) == 0
    assert run(tmp_path, "doctor").returncode == 0


def test_web_readers_a_crawl_and_doctor_repair_at_once_never_see_a_locked_database(
    site, tmp_path: Path
):
    """SQLite under load: the web page searching in threads while a crawl writes and
    ``doctor --repair`` mends the search index, each writing tantivy in turn."""
    write_config(tmp_path, site)
    assert run(tmp_path, "crawl", "--max-pages", "40").returncode == 0
    store = open_store({"backend": "sqlite"}, tmp_path / "data")
    store.close()
    config = load_config(tmp_path / "hotwatch.toml", data_dir=tmp_path / "data", environ={})
    app = create_app(config)
    db = sqlite3.connect(tmp_path / "data" / "hotwatch.db")
    row = list(db.execute(f"SELECT {', '.join(ROW_COLUMNS)} FROM documents LIMIT 1").fetchone())
    db.close()
    row[0] = 99999  # a search index entry with no document
    index = tantivy.Index(schema(), path=str(tmp_path / "data" / "hotwatch.tantivy"))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(**entry(tuple(row))))
    writer.commit()
    writer.wait_merging_threads()

    crawl = subprocess.Popen(
        command(tmp_path, "crawl"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    answers: list[tuple[int, str]] = []

    def read() -> None:
        client = app.test_client()
        while crawl.poll() is None:
            for url in ("/api/search?q=12345", "/api/incidents", "/"):
                response = client.get(url)
                answers.append((response.status_code, response.get_data(as_text=True)))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    doctors = [run(tmp_path, "doctor", "--repair") for _ in range(2)]
    crawled, _ = crawl.communicate(timeout=300)
    for reader in readers:
        reader.join()

    assert crawl.returncode == 0, crawled
    said = [crawled] + [d.stdout + d.stderr for d in doctors] + [body for _, body in answers]
    assert not [text for text in said if "locked" in text]
    assert "repaired: rewrote the search index entries of 1 documents" in doctors[0].stdout
    assert len(answers) > 10 and {status for status, _ in answers} == {200}
    assert run(tmp_path, "doctor").returncode == 0
