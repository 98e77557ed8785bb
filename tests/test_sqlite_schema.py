"""The SQLite store upgrades older files in place and keeps their documents."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime

from index.records import SearchQuery, StoredDocument
from index.sqlite import SQLiteStore
from index.sqlite_schema import SCHEMA_VERSION

SOCIAL_COLUMNS = ("kind", "reposts", "comments", "likes", "parent_url")


def _post() -> StoredDocument:
    return StoredDocument(
        url="https://m.weibo.cn/detail/5001",
        title="12345热线打了三天没人接",
        text="转发微博 12345热线打了三天没人接",
        fetched_at=datetime(2026, 11, 1, 8, 0),
        kind="post",
        reposts=12,
        comments=3,
        likes=40,
        parent_url="https://m.weibo.cn/detail/5000",
    )


def test_social_fields_round_trip(tmp_path):
    store = SQLiteStore(tmp_path / "store.db")
    store.upsert(_post())
    stored = store.get(_post().id)
    assert (stored.kind, stored.reposts, stored.comments, stored.likes) == ("post", 12, 3, 40)
    assert stored.parent_url == "https://m.weibo.cn/detail/5000"
    assert stored.reach == 55


def test_version_2_file_is_upgraded_without_losing_documents(tmp_path):
    path = tmp_path / "store.db"
    store = SQLiteStore(path)
    store.upsert(StoredDocument(url="https://a.cn/1", title="标题", text="正文",
                                fetched_at=datetime(2026, 11, 1)))
    store.close()
    db = sqlite3.connect(path)
    db.execute("DROP INDEX documents_pending")
    db.execute("DROP TABLE incident_keys")
    db.execute("DROP TABLE incident_states")
    db.execute("DROP TABLE incident_members")
    db.execute("DROP INDEX documents_incident_date")
    db.execute("CREATE INDEX documents_incident ON documents (incident_id)")
    db.execute("DROP TABLE incident_handling")
    db.execute("DROP TABLE incident_history")
    # The search side of then: FTS5 and its tags, no tantivy index.
    db.execute("DROP TABLE search_pending")
    db.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title, body, content='')")
    db.execute("CREATE TABLE document_tags (kind TEXT, value TEXT, doc_rowid INTEGER)")
    shutil.rmtree(tmp_path / "store.tantivy")
    for column in (*SOCIAL_COLUMNS, "incident_pending", "urls", "fingerprint"):
        db.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()

    upgraded = SQLiteStore(path)
    assert upgraded.stats()["schema_version"] == SCHEMA_VERSION
    doc = next(upgraded.iter_documents())
    assert (doc.title, doc.kind, doc.reach, doc.parent_url) == ("标题", "article", 0, None)
    assert doc.urls == []  # documents stored before schema 5 list no URLs until written again
    assert upgraded.search(SearchQuery(text="正文", relevant_only=False)).total == 1
    tables = {r[0] for r in upgraded.db.execute("SELECT name FROM sqlite_master")}
    assert not tables & {"documents_fts", "document_tags", "search_columns"}


def test_iter_documents_since(tmp_path):
    store = SQLiteStore(tmp_path / "store.db")
    for day in (1, 5, 9):
        store.upsert(StoredDocument(url=f"https://a.cn/{day}", title=f"第{day}天", text="正文",
                                    fetched_at=datetime(2026, 11, day)))
    titles = [d.title for d in store.iter_documents(since=datetime(2026, 11, 5))]
    assert titles == ["第5天", "第9天"]


def test_an_incidents_recent_reports_are_found_by_index(tmp_path):
    """Schema 12: counting an incident's last 24 hours reads that range, not every report
    of the incident (thousands at 1M)."""
    store = SQLiteStore(tmp_path / "store.db")
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM documents WHERE date_ts >= ? AND incident_id = ?",
        (0, "inc-1"),
    ).fetchall()
    assert "documents_incident_date (incident_id=? AND date_ts>?)" in plan[0][3]
