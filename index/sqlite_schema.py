"""The SQLite store's schema: its version, the migration to each version, and how a
store's version is read."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator

from index.sqlite_handling import MIGRATION as HANDLING_MIGRATION
from index.sqlite_search import MIGRATION as SEARCH_MIGRATION

SCHEMA_VERSION = 13
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE documents (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL UNIQUE,
        fetched_url TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        published_at TEXT,
        fetched_at TEXT NOT NULL,
        date_ts INTEGER NOT NULL,
        author TEXT,
        outlet TEXT,
        source TEXT,
        domain TEXT,
        tier INTEGER,
        relevant INTEGER NOT NULL,
        relevance REAL NOT NULL,
        negativity REAL NOT NULL,
        sentiment REAL NOT NULL,
        hotlines TEXT NOT NULL,
        regions TEXT NOT NULL,
        categories TEXT NOT NULL,
        plans TEXT NOT NULL,
        reasons TEXT NOT NULL,
        incident_id TEXT
    );
    CREATE INDEX documents_relevant_date ON documents (relevant, date_ts);
    CREATE INDEX documents_date ON documents (date_ts);
    CREATE INDEX documents_incident ON documents (incident_id);
    CREATE TABLE document_tags (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        doc_rowid INTEGER NOT NULL,
        PRIMARY KEY (kind, value, doc_rowid)
    ) WITHOUT ROWID;
    CREATE INDEX document_tags_doc ON document_tags (doc_rowid);
    CREATE TABLE fetches (url TEXT PRIMARY KEY, fetched_at TEXT NOT NULL) WITHOUT ROWID;
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, body, content='', tokenize='unicode61 remove_diacritics 0'
    );
    """,
    2: """
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        level_rank INTEGER NOT NULL,
        score INTEGER NOT NULL,
        last_seen_ts INTEGER NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX incidents_rank ON incidents (level_rank, score, last_seen_ts)
    """,
    3: """
    ALTER TABLE documents ADD COLUMN kind TEXT NOT NULL DEFAULT 'article';
    ALTER TABLE documents ADD COLUMN reposts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE documents ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE documents ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE documents ADD COLUMN parent_url TEXT
    """,
    4: """
    ALTER TABLE documents ADD COLUMN incident_pending INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX documents_pending ON documents (date_ts) WHERE incident_pending = 1;
    CREATE TABLE incident_states (id TEXT PRIMARY KEY, state TEXT NOT NULL);
    CREATE TABLE incident_keys (
        key TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        PRIMARY KEY (key, incident_id)
    ) WITHOUT ROWID;
    CREATE INDEX incident_keys_incident ON incident_keys (incident_id)
    """,
    5: """
    ALTER TABLE documents ADD COLUMN urls TEXT NOT NULL DEFAULT '[]'
    """,
    6: HANDLING_MIGRATION,
    # 7 added search columns for FTS5 searches; 8 drops them with FTS5 (search is tantivy).
    7: "",
    8: SEARCH_MIGRATION,
    # A document's incident fingerprint (JSON), computed with its analysis; NULL: none
    # yet (older documents, irrelevant ones), placing computes it.
    9: "ALTER TABLE documents ADD COLUMN fingerprint TEXT",
    # An incident's members' signatures as rows of their own (its bands are its b* keys
    # in incident_keys): joining reads none of them and writes only the new one.
    10: """
    CREATE TABLE incident_members (
        incident_id TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (incident_id, doc_id)
    ) WITHOUT ROWID;
    INSERT INTO incident_members (incident_id, doc_id, signature)
        SELECT s.id, m.key, m.value FROM incident_states AS s, json_each(s.state, '$.members') AS m
        WHERE json_type(s.state, '$.members') = 'object';
    UPDATE incident_states
        SET state = json_set(
            json_remove(state, '$.members', '$.band_keys'), '$.member_rows', json('true')
        )
        WHERE json_type(state, '$.members') = 'object'
    """,
    # Member signatures as raw bytes (128 for 32 rows), read into one buffer when an
    # incident is weighed as a near-duplicate, where base64 text was decoded row by row.
    # (The column keeps its TEXT declaration: a BLOB stored in it stays a BLOB.)
    11: """
    UPDATE incident_members SET signature = unbase64(signature) WHERE typeof(signature) = 'text'
    """,
    # An incident's reports of a time range (its last 24 hours, counted when reports
    # are dated after the update's moment) by index, not by reading every report of it:
    # 40 ms for an incident of 13,000 reports at 1M.
    12: """
    CREATE INDEX IF NOT EXISTS documents_incident_date ON documents (incident_id, date_ts);
    DROP INDEX IF EXISTS documents_incident
    """,
    # A band or clue key names the member that first brought it: a report is weighed as
    # a near-duplicate against those members' signatures, not every member's. Keys stored
    # before name none (NULL): their incidents are weighed against all members until
    # ``hotwatch incidents rebuild``.
    13: "ALTER TABLE incident_keys ADD COLUMN member TEXT",
}


def prepare(db: sqlite3.Connection) -> None:
    """The SQL functions migrations use: ``unbase64(text)`` -> bytes."""
    db.create_function("unbase64", 1, _unbase64, deterministic=True)


def _unbase64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def schema_version(db: sqlite3.Connection) -> int:
    """The store's schema version (0: a new file)."""
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def statements(script: str) -> Iterator[str]:
    """The statements of a script; a trigger's body holds semicolons of its own."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        yield pending
