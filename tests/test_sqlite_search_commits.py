"""A SQLite writer that defers its search-index commits (a crawl's store pipeline): what it
writes is stored at once, searchable at its next ``commit_search`` or on closing, and
``hotwatch doctor`` tells documents waiting on purpose from a stopped writer's."""

from __future__ import annotations

from pathlib import Path

from index import SearchQuery, open_store
from index.consistency_index import index_findings
from index.sqlite_search import LEASE_KEY
from tests.test_store_contract import CORPUS


def pending(store) -> int:
    return store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0]


def found(store) -> int:
    return store.search(SearchQuery(text="热线", relevant_only=False, limit=1)).total


def deferring(data_dir: Path):
    return open_store({"backend": "sqlite", "search_commit_seconds": 60}, data_dir)


def test_documents_wait_for_commit_search_and_doctor_leaves_them_alone(tmp_path):
    store = deferring(tmp_path)
    try:
        store.upsert_many(CORPUS[:2])
        store.upsert_many(CORPUS[2:])
        assert pending(store) == len(CORPUS)  # two writes, no tantivy commit yet
        assert store.stats()["documents"] == len(CORPUS)
        assert index_findings(store) == []  # waiting on purpose, under the writer's lease
        store.commit_search()
        assert pending(store) == 0
        assert found(store) == 3
    finally:
        store.close()


def test_closing_commits_and_a_lapsed_lease_is_named_then_written_by_the_next_opener(tmp_path):
    store = deferring(tmp_path)
    store.upsert_many(CORPUS)
    store.close()
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        assert pending(store) == 0 and found(store) == 3
    finally:
        store.close()

    stopped = deferring(tmp_path / "stopped")  # a writer killed before its commit
    stopped.upsert_many(CORPUS)
    stopped.db.execute("UPDATE meta SET value = '0' WHERE key = ?", (LEASE_KEY,))  # time passes
    assert [f.kind for f in index_findings(stopped)] == ["search-pending"]
    stopped.db.close()
    store = open_store({"backend": "sqlite"}, tmp_path / "stopped")
    try:
        assert pending(store) == 0 and found(store) == 3
        assert index_findings(store) == []
    finally:
        store.close()


def test_a_writer_that_does_not_defer_commits_after_each_write(tmp_path):
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        store.upsert_many(CORPUS)
        assert pending(store) == 0
        assert store.db.execute("SELECT 1 FROM meta WHERE key = ?", (LEASE_KEY,)).fetchone() is None
    finally:
        store.close()
