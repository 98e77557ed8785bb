"""The embedded default store: one SQLite file in WAL mode (its schema and migrations in
``sqlite_schema``), searched through a tantivy index kept beside it (``sqlite_search``)."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.relevance import JOINED_EVENT
from index.errors import DocumentNotFound, StoreUnavailable
from index.records import (
    StoredDocument,
    UpsertOutcome,
    merged_urls,
    placement,
)
from index.sqlite_handling import HandlingMethods
from index.sqlite_incidents import IncidentMethods
from index.sqlite_schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    prepare,
    schema_version,
    statements,
)
from index.sqlite_search import SearchMethods

logger = logging.getLogger(__name__)
ROW_CHUNK = 500
_COLUMNS = (
    "id url fetched_url title text published_at fetched_at date_ts author outlet source domain "
    "tier relevant relevance negativity sentiment hotlines regions categories plans reasons "
    "incident_id kind reposts comments likes parent_url urls fingerprint"
).split()
_WRITE_COLUMNS = [*_COLUMNS, "incident_pending"]
_JSON_COLUMNS = ("hotlines", "regions", "categories", "plans", "reasons", "urls")


class SQLiteStore(SearchMethods, IncidentMethods, HandlingMethods):
    """The embedded store. Every committed document survives a crash (WAL, no lost writes)."""

    backend = "sqlite"

    def __init__(self, path: str | Path, *, search_commit_seconds: float = 0.0) -> None:
        """``search_commit_seconds`` > 0: written documents wait in ``search_pending`` for
        ``commit_search`` (or ``close``) instead of a tantivy commit after every write
        (see ``sqlite_search``); a crawl commits every few seconds."""
        self.path = Path(path)
        self._search_dirty = False
        self.search_commit_seconds = search_commit_seconds
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout=10000")
            _switch_to_wal(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA temp_store=MEMORY")  # search's match table
            prepare(self.db)
            self._migrate()
            self._open_search_index()
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(f"cannot open store {self.path}: {error}") from error

    # -- writing -----------------------------------------------------------------

    def upsert(self, doc: StoredDocument) -> UpsertOutcome:
        return self.upsert_many([doc])[0]

    def upsert_many(self, docs: Iterable[StoredDocument]) -> list[UpsertOutcome]:
        """Write documents in one transaction; a failure rolls back the whole batch. The
        batch goes into the search index after the commit, in one tantivy commit (with
        ``search_commit_seconds``, at the next ``commit_search``)."""
        try:
            with self._transaction():
                outcomes = [self._upsert_one(doc) for doc in docs]
                self._defer_search()
                return outcomes
        except sqlite3.Error as error:
            raise write_error(self.path, error) from error

    def record_fetch(self, url: str, fetched_at: datetime) -> None:
        self.db.execute(
            "INSERT INTO fetches (url, fetched_at) VALUES (?, ?) "
            "ON CONFLICT (url) DO UPDATE SET fetched_at = excluded.fetched_at",
            (url, fetched_at.isoformat()),
        )

    def set_incident(self, doc_id: str, incident_id: str | None, *, joined: bool = False) -> None:
        """Place the document in this incident (or none); it no longer awaits placement.

        ``joined``: it joined as a report of the incident's event, and is relevant.
        """
        try:
            self.db.execute(
                "UPDATE documents SET incident_id = ?, incident_pending = 0 WHERE id = ?",
                (incident_id, doc_id),
            )
            if joined:
                lifted = self.db.execute(
                    "UPDATE documents SET relevant = 1, reasons = json_insert(reasons, '$[#]', ?)"
                    " WHERE id = ? AND relevant = 0 RETURNING rowid",
                    (JOINED_EVENT, doc_id),
                ).fetchone()
                if lifted:  # search filters on relevance: the entry is written again
                    self._mark_for_search(lifted[0])
        except sqlite3.Error as error:
            raise write_error(self.path, error) from error

    def _upsert_one(self, doc: StoredDocument) -> UpsertOutcome:
        row = _row(doc)
        old = self.db.execute(
            "SELECT rowid, incident_pending FROM documents WHERE url = ?", (doc.url,)
        ).fetchone()
        self.record_fetch(doc.url, doc.fetched_at)
        if doc.fetched_url and doc.fetched_url != doc.url:
            self.record_fetch(doc.fetched_url, doc.fetched_at)
        if old is None:
            row["incident_pending"] = 1
            row["urls"] = json.dumps(merged_urls(doc, None), ensure_ascii=False)
            placeholders = ", ".join("?" for _ in _WRITE_COLUMNS)
            cursor = self.db.execute(
                f"INSERT INTO documents ({', '.join(_WRITE_COLUMNS)}) VALUES ({placeholders})",
                [row[c] for c in _WRITE_COLUMNS],
            )
            self._mark_for_search(cursor.lastrowid)  # type: ignore[arg-type]
            return "new"
        rowid, old_pending = old
        existing = self._document(rowid)
        incident_id, pending = placement(doc, existing, bool(old_pending))
        row.update(incident_id=incident_id, incident_pending=int(pending))
        row["urls"] = json.dumps(merged_urls(doc, existing), ensure_ascii=False)
        assignments = ", ".join(f"{c} = ?" for c in _WRITE_COLUMNS)
        self.db.execute(
            f"UPDATE documents SET {assignments} WHERE rowid = ?",
            [row[c] for c in _WRITE_COLUMNS] + [rowid],
        )
        self._mark_for_search(rowid)
        return "unchanged" if existing.content_key() == doc.content_key() else "updated"

    # -- reading -----------------------------------------------------------------

    def get(self, doc_id: str) -> StoredDocument:
        row = self.db.execute("SELECT rowid FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return self._document(row[0])

    def last_fetched(self, url: str) -> datetime | None:
        row = self.db.execute("SELECT fetched_at FROM fetches WHERE url = ?", (url,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def iter_documents(
        self,
        since: datetime | None = None,
        *,
        incident_id: str | None = None,
        pending: bool = False,
    ) -> Iterator[StoredDocument]:
        clauses, params = ["1"], []
        if since is not None:
            clauses.append("date_ts >= ?")
            params.append(int(_aware(since).timestamp()))
        if incident_id is not None:
            clauses.append("incident_id = ?")
            params.append(incident_id)
        if pending:
            clauses.append("incident_pending = 1")
        rowids = [
            r[0]
            for r in self.db.execute(
                f"SELECT rowid FROM documents WHERE {' AND '.join(clauses)} ORDER BY date_ts, id",
                params,
            )
        ]
        for start in range(0, len(rowids), ROW_CHUNK):  # a query per chunk, not per row
            chunk = rowids[start : start + ROW_CHUNK]
            rows = self.db.execute(
                f"SELECT rowid, {', '.join(_COLUMNS)} FROM documents "
                f"WHERE rowid IN ({', '.join('?' for _ in chunk)})",
                chunk,
            ).fetchall()
            by_rowid = {row[0]: row[1:] for row in rows}
            for rowid in chunk:
                if rowid in by_rowid:
                    yield _document(dict(zip(_COLUMNS, by_rowid[rowid], strict=True)))

    def data_version(self) -> int | None:
        try:
            return int(self.db.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot read store {self.path}: {error}") from error

    def stats(self) -> dict[str, Any]:
        count = self.db.execute
        return {
            "backend": self.backend,
            "path": str(self.path),
            "documents": count("SELECT count(*) FROM documents").fetchone()[0],
            "relevant": count("SELECT count(*) FROM documents WHERE relevant = 1").fetchone()[0],
            "incidents": count("SELECT count(*) FROM incidents").fetchone()[0],
            "sources": dict(
                count("SELECT coalesce(source, ''), count(*) FROM documents GROUP BY 1").fetchall()
            ),
            "schema_version": self._schema_version(),
        }

    def close(self) -> None:
        try:
            self._catch_up()  # this connection's writes searchable before it goes
        except StoreUnavailable as error:
            logger.warning("search index not caught up: %s", error)
        self.db.close()

    def _document(self, rowid: int) -> StoredDocument:
        row = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM documents WHERE rowid = ?", (rowid,)
        ).fetchone()
        return _document(dict(zip(_COLUMNS, row, strict=True)))

    # -- schema ------------------------------------------------------------------

    def _schema_version(self) -> int:
        return schema_version(self.db)

    def _migrate(self) -> None:
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"store {self.path} has schema {version}, "
                f"newer than this hotwatch supports ({SCHEMA_VERSION})"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction():
                if self._schema_version() >= target:
                    continue  # another process (a crawl, the web page) migrated it meanwhile
                for statement in statements(MIGRATIONS[target]):
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(target),),
                )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db, self.path, self._after_commit)

    def atomic(self) -> _Transaction:
        """Every write inside commits together or not at all: a placement run killed or
        refused (full disk) half-way leaves its documents waiting, not half placed."""
        return self._transaction()


def _switch_to_wal(db: sqlite3.Connection, patience: float = 10.0) -> None:
    """Switching a new file to WAL takes an exclusive lock and SQLite answers "locked"
    at once, without its busy handler, while another opener holds it: wait our turn."""
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def write_error(path: Path, error: sqlite3.Error) -> StoreUnavailable:
    """One line for a refused write; a full disk shows as an I/O error when a file-size
    limit is hit, so both say what to check."""
    hint = " (is the disk full?)" if "disk" in str(error) else ""
    return StoreUnavailable(f"cannot write to store {path}: {error}{hint}")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or a savepoint inside a transaction already open (the
    writes of ``atomic`` commit together)."""

    def __init__(
        self, db: sqlite3.Connection, path: Path, after_commit: Callable[[], None]
    ) -> None:
        self.db = db
        self.path = path
        self.after_commit = after_commit
        self.nested = False

    def __enter__(self) -> None:
        self.nested = self.db.in_transaction
        self.db.execute("SAVEPOINT nested" if self.nested else "BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self.nested:
            undo = [] if kind is None else ["ROLLBACK TO nested"]
            ending = [*undo, "RELEASE nested"]
        else:
            ending = ["COMMIT" if kind is None else "ROLLBACK"]
        try:
            for statement in ending:
                self.db.execute(statement)
        except sqlite3.Error as failure:
            raise write_error(self.path, failure) from failure
        if isinstance(error, sqlite3.Error):
            raise write_error(self.path, error) from error
        if kind is None and not self.nested:
            self.after_commit()


def _row(doc: StoredDocument) -> dict[str, Any]:
    date = doc.published_at or doc.fetched_at
    row: dict[str, Any] = {c: getattr(doc, c, None) for c in _COLUMNS if c != "id"}
    row.update(
        id=doc.id,
        published_at=doc.published_at.isoformat() if doc.published_at else None,
        fetched_at=doc.fetched_at.isoformat(),
        date_ts=int(_aware(date).timestamp()),
        relevant=int(doc.relevant),
    )
    for column in _JSON_COLUMNS:
        row[column] = json.dumps(getattr(doc, column), ensure_ascii=False)
    if doc.fingerprint is not None:
        row["fingerprint"] = json.dumps(doc.fingerprint, ensure_ascii=False)
    return row


def _document(row: dict[str, Any]) -> StoredDocument:
    for column in _JSON_COLUMNS:
        row[column] = json.loads(row[column])
    if row["fingerprint"] is not None:
        row["fingerprint"] = json.loads(row["fingerprint"])
    row["published_at"] = (
        datetime.fromisoformat(row["published_at"]) if row["published_at"] else None
    )
    row["fetched_at"] = datetime.fromisoformat(row["fetched_at"])
    row["relevant"] = bool(row["relevant"])
    for derived in ("id", "date_ts"):
        row.pop(derived)
    return StoredDocument(**row)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
