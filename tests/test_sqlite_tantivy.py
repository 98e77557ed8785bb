"""The SQLite store's tantivy search side across processes and crashes: every stored
document is found exactly once, whoever wrote it and wherever a writer was stopped."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from index import SearchQuery, open_store
from index.consistency_index import index_findings
from tests.test_store_contract import CORPUS

# Writes batches of documents with a shared word into the store at argv[1], numbered
# from argv[2], argv[3] batches of argv[4]; prints each batch number once committed.
WRITER = """
import sys
from datetime import datetime
from index import StoredDocument, open_store

store = open_store({"backend": "sqlite"}, sys.argv[1])
first, batches, size = (int(a) for a in sys.argv[2:5])
for batch in range(batches):
    docs = [
        StoredDocument(
            url=f"https://news.example.cn/w/{first + batch * size + n}.html",
            title=f"热线回访第{first + batch * size + n}号",
            text="市民反映12345热线回访不及时。" * 20,
            fetched_at=datetime(2026, 11, 1 + n % 20),
        )
        for n in range(size)
    ]
    store.upsert_many(docs)
    print(batch, flush=True)
store.close()
"""


def writer(data_dir: Path, first: int, batches: int, size: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), str(first), str(batches), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )


def found(store, text: str = "回访") -> int:
    return store.search(SearchQuery(text=text, relevant_only=False, limit=1)).total


def test_processes_writing_at_once_take_turns_and_a_reader_follows_them(tmp_path):
    reader = open_store({"backend": "sqlite"}, tmp_path)
    assert found(reader) == 0
    writers = [writer(tmp_path, n * 1000, 15, 8) for n in range(3)]
    seen = set()
    while any(w.poll() is None for w in writers):
        seen.add(found(reader))  # the open reader reloads as the others commit
        time.sleep(0.01)
    for w in writers:
        out, err = w.communicate()
        assert w.returncode == 0, err
        assert out.split() == [str(b) for b in range(15)]
    assert found(reader) == reader.stats()["documents"] == 3 * 15 * 8
    assert len(seen) > 2  # it saw the writes arrive, not only the end
    assert index_findings(reader) == []
    reader.close()


@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4])
def test_a_writer_killed_at_any_moment_leaves_each_stored_document_found_once(tmp_path, delay):
    running = writer(tmp_path, 0, 1000, 20)
    assert running.stdout is not None
    running.stdout.readline()  # the first batch is in
    time.sleep(delay)
    os.kill(running.pid, signal.SIGKILL)
    running.wait()
    store = open_store({"backend": "sqlite"}, tmp_path)  # replays what the kill left pending
    try:
        stored = store.stats()["documents"]
        assert stored >= 20
        assert found(store) == found(store, "12345") == stored
        assert index_findings(store) == []
    finally:
        store.close()


def test_a_lost_search_index_is_rebuilt_from_the_documents_on_open(tmp_path):
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    query = SearchQuery(text="热线", sort="time", facets=True)
    before = store.search(query)
    store.close()
    shutil.rmtree(tmp_path / "hotwatch.tantivy")
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        after = store.search(query)
        assert after.total == before.total == 3
        assert [h.document.id for h in after.hits] == [h.document.id for h in before.hits]
        assert after.facets == before.facets
    finally:
        store.close()


def test_a_write_inside_an_atomic_block_is_searchable_after_it_commits(tmp_path):
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        with store.atomic():
            store.upsert_many(CORPUS[:2])
            assert store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 2
        assert found(store, "热线") == 2
        assert store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
        with pytest.raises(RuntimeError), store.atomic():
            store.upsert(CORPUS[2].__class__(
                url="https://news.example.cn/rolled-back.html", title="热线回滚",
                text="回滚的文档", fetched_at=datetime(2026, 11, 1),
            ))
            raise RuntimeError("stop")
        assert found(store, "回滚") == 0
    finally:
        store.close()


def test_a_search_inside_an_atomic_block_answers_and_its_writes_follow_the_commit(tmp_path):
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        with store.atomic():
            store.upsert_many(CORPUS[:2])
            assert found(store, "热线") == 0  # not yet committed, so not yet in the index
        assert found(store, "热线") == 2
    finally:
        store.close()
