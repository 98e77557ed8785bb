"""The SQLite store's search: its tantivy side (``tantivy_index``) kept in step with SQLite.

Every write of a document marks its row id in ``search_pending`` (with a random mark)
in the same SQLite transaction as the document. After the commit the writer takes
the tantivy index's one writer (a lock across processes; when another process holds
it, that one takes these documents too), reads the pending documents in one read
snapshot, replaces their entries (by row id: never twice), commits tantivy, and then
deletes the pending rows whose mark it read in a short SQLite write; a document
written again meanwhile has a new mark and stays pending. A crash before the tantivy
commit leaves the documents pending, after it the rewrite is repeated. Merges wait
with the tantivy writer held but SQLite's lock free, so no SQLite writer waits for
them. Pending documents are written by the next writer, the next opener and
``hotwatch doctor --repair``; a missing index (a store from before schema 8, a
deleted directory) is rebuilt from the documents the same way, a chunk per commit.
``search_generation`` in ``meta`` moves with each tantivy commit; a reader reloads
its tantivy reader when it sees it move.

A store opened with ``search_commit_seconds`` (a crawl's) leaves its documents pending
after each write and writes them at ``commit_search`` (every few seconds) and on
closing: a tantivy commit costs about as much CPU as indexing 25 documents, so one
commit per batch of 50 doubled the search side's cost. Its writes hold a lease in
``meta`` (``search_pending_until``) while documents wait on purpose, so ``hotwatch
doctor`` does not take them for a stopped writer's; a killed writer's lease runs out
and the next opener writes what it left.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import tantivy

from index.errors import StoreUnavailable
from index.records import Hit, SearchQuery, SearchResult
from index.snippets import make_snippet
from index.sqlite_query import parse_query
from index.tantivy_index import (
    REBUILD_HEAP,
    ROW_COLUMNS,
    WRITER_HEAP,
    SearchIndex,
    return_freed_memory,
)

logger = logging.getLogger(__name__)

# Documents per tantivy commit when replaying many (a rebuild): progress and a restart
# point; SQLite's lock is only taken to forget each chunk.
SYNC_CHUNK = 5_000
# A deferring writer's lease: documents pending this long past its last write are a
# stopped writer's (twice the interval, and a margin for a busy machine).
LEASE_KEY = "search_pending_until"
LEASE_MARGIN = 30.0
# How long a writer that must see its documents searchable (a search after its own
# writes, closing, a rebuild) waits for another process's tantivy writer (a merge at
# 1M documents can take a minute on a busy machine).
WRITER_PATIENCE = 600.0
MIGRATION = """
    DROP TABLE IF EXISTS documents_fts;
    DROP TABLE IF EXISTS search_columns;
    DROP TABLE IF EXISTS document_tags;
    CREATE TABLE search_pending (rowid INTEGER PRIMARY KEY, mark INTEGER NOT NULL);
    INSERT INTO search_pending (rowid, mark) SELECT rowid, 0 FROM documents;
    INSERT OR REPLACE INTO meta (key, value) VALUES ('search_generation', '0')
"""
MARK_PENDING = (
    "INSERT INTO search_pending (rowid, mark) VALUES (?, random()) "
    "ON CONFLICT (rowid) DO UPDATE SET mark = excluded.mark"
)
MARK_ALL_PENDING = (
    "INSERT INTO search_pending (rowid, mark) SELECT rowid, random() FROM documents WHERE 1 "
    "ON CONFLICT (rowid) DO UPDATE SET mark = excluded.mark"
)
Progress = Callable[[str, int], None]


class SearchMethods:
    """``search`` and its index upkeep for ``SQLiteStore`` (which provides ``db``, ``path``,
    ``_transaction`` and ``_document``)."""

    db: sqlite3.Connection
    path: Path
    search_index: SearchIndex
    search_commit_seconds: float
    _search_generation: str | None
    _search_dirty: bool

    def _open_search_index(self) -> None:
        self._search_dirty = False
        self._search_generation = None
        where = self.path.with_suffix(".tantivy")
        if (where / "meta.json").exists():
            self.search_index = SearchIndex(where)
        else:
            with self._transaction():  # type: ignore[attr-defined]
                # Under the write lock, so two first openers do not both create it.
                self.search_index = SearchIndex(where)
                if self.search_index.created:
                    self.db.execute(MARK_ALL_PENDING)
        try:
            # Whoever holds the writer now takes what a stopped writer left too.
            self.sync_search(patience=0)
        except StoreUnavailable as error:  # readable still; doctor names what waits
            logger.warning("search index not caught up: %s", error)

    # -- upkeep ------------------------------------------------------------------------

    def _mark_for_search(self, rowid: int) -> None:
        self.db.execute(MARK_PENDING, (rowid,))
        self._search_dirty = True

    def _after_commit(self) -> None:
        if self._search_dirty and not self.search_commit_seconds:
            self.sync_search(patience=0)  # busy: the writer holding it or our next one

    def _defer_search(self) -> None:
        """In a write's transaction: when this writer defers, its lease covers the wait."""
        if self.search_commit_seconds and self._search_dirty:
            until = time.time() + 2 * self.search_commit_seconds + LEASE_MARGIN
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                "SET value = max(CAST(value AS REAL), CAST(excluded.value AS REAL))",
                (LEASE_KEY, until),
            )

    def commit_search(self) -> None:
        """Write this writer's pending documents into the search index now (another
        process holding the index's writer takes them with its own)."""
        if self._search_dirty:
            self.sync_search(patience=0)

    def _catch_up(self) -> None:
        """This connection's own writes searchable before it searches or closes."""
        if self._search_dirty:
            self.sync_search()

    def sync_search(
        self, progress: Progress | None = None, *, patience: float = WRITER_PATIENCE
    ) -> int:
        """Write the pending documents into the search index, a chunk per commit; the
        number written (or dropped: a pending row id with no document)."""
        if self.db.in_transaction:
            return 0  # inside ``atomic``: its commit writes them (``_after_commit``)
        dirty, self._search_dirty = self._search_dirty, False
        waiting = self.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM search_pending LIMIT ?)", (SYNC_CHUNK,)
        ).fetchone()[0]
        if not waiting:
            self._follow_search_index()
            return 0  # nothing waits: readers never take the writer
        heap = REBUILD_HEAP if waiting >= SYNC_CHUNK else WRITER_HEAP
        writer = self.search_index.open_writer(patience, heap=heap)
        if writer is None:
            self._search_dirty = dirty
            if patience:
                logger.warning("search index busy for %.0f s; documents stay pending", patience)
            return 0
        try:
            return self._write_pending(writer, progress)
        except BaseException:
            self._search_dirty = dirty
            _release(writer)
            raise
        finally:
            return_freed_memory()
            self._follow_search_index()

    def _write_pending(self, writer: tantivy.IndexWriter, progress: Progress | None) -> int:
        done = 0
        while True:
            pending, rows = self._read_pending()
            if not pending:
                break
            present = {row[0] for row in rows}
            removed = [rowid for rowid, _ in pending if rowid not in present]
            self.search_index.replace(writer, rows, removed)
            with self._transaction():  # type: ignore[attr-defined]
                self.db.executemany(
                    "DELETE FROM search_pending WHERE rowid = ? AND mark = ?", pending
                )
                self.db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                    "WHERE key = 'search_generation'"
                )
            done += len(pending)
            if done >= SYNC_CHUNK:  # a rebuild, not a batch
                logger.info("search index: %d documents written", done)
                if progress:
                    progress("search index", done)
        writer.wait_merging_threads()
        return done

    def _read_pending(self) -> tuple[list[tuple[int, int]], list[tuple]]:
        """A chunk of pending (row id, mark) and those documents' rows, in one snapshot."""
        self.db.execute("BEGIN")
        try:
            pending = self.db.execute(
                "SELECT rowid, mark FROM search_pending ORDER BY rowid LIMIT ?", (SYNC_CHUNK,)
            ).fetchall()
            rowids = [rowid for rowid, _ in pending]
            rows = self.db.execute(
                f"SELECT {', '.join(ROW_COLUMNS)} FROM documents "
                f"WHERE rowid IN ({', '.join('?' for _ in rowids)})",
                rowids,
            ).fetchall() if rowids else []
        finally:
            self.db.execute("COMMIT")
        return pending, rows

    def resync_search(self, rowids: Iterable[int], progress: Progress | None = None) -> int:
        """Write these documents' entries again (those with no document are dropped)."""
        with self._transaction():  # type: ignore[attr-defined]
            self.db.executemany(MARK_PENDING, ((rowid,) for rowid in rowids))
        return self.sync_search(progress)

    def rebuild_search(self, progress: Progress | None = None) -> int:
        """Empty the search index and write every document into it again."""
        writer = self.search_index.open_writer(WRITER_PATIENCE, heap=REBUILD_HEAP)
        if writer is None:
            raise StoreUnavailable(f"search index {self.search_index.path} stayed busy")
        try:
            with self._transaction():  # type: ignore[attr-defined]
                # Pending first: a rebuild stopped after the clearing resumes on open.
                self.db.execute(MARK_ALL_PENDING)
            self._search_dirty = False
            self.search_index.clear(writer)
            return self._write_pending(writer, progress)
        except BaseException:
            _release(writer)
            raise
        finally:
            return_freed_memory()
            self._follow_search_index()

    def reindex(self) -> tuple[str, str]:
        """``hotwatch index reindex``: the search index rebuilt from the documents."""
        before = self.search_index.num_docs()
        after = self.rebuild_search()
        where = self.search_index.path.name
        return f"{where} ({before} entries)", f"{where} ({after} documents)"

    def _follow_search_index(self) -> None:
        """Reload the tantivy reader when a commit (from any process) moved the generation."""
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = 'search_generation'"
        ).fetchone()
        generation = row[0] if row else None
        if generation != self._search_generation:
            self.search_index.reload()
            self._search_generation = generation

    # -- searching ---------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        rule = parse_query(query.text)
        self._catch_up()
        self._follow_search_index()
        incident_rowids = None
        if query.incident_id:
            incident_rowids = [
                r[0]
                for r in self.db.execute(
                    "SELECT rowid FROM documents WHERE incident_id = ?", (query.incident_id,)
                )
            ]
        found = self.search_index.search(query, rule.root, incident_rowids)
        terms = rule.terms()
        hits = [self._hit(rowid, score, terms) for rowid, score in found.page]
        # An entry whose document is gone (damage ``hotwatch doctor`` names) is left out.
        kept = [hit for hit in hits if hit is not None]
        return SearchResult(total=found.total, hits=kept, facets=found.facets)

    def _hit(self, rowid: int, score: float, terms: list[str]) -> Hit | None:
        if self.db.execute("SELECT 1 FROM documents WHERE rowid = ?", (rowid,)).fetchone() is None:
            return None
        doc = self._document(rowid)  # type: ignore[attr-defined]
        snippet, highlights = make_snippet(doc.text or doc.title, terms)
        return Hit(document=doc, score=float(score), snippet=snippet, highlights=highlights)


def _release(writer: tantivy.IndexWriter) -> None:
    """Give the writer lock back now, not when the failed writer is collected."""
    try:
        writer.rollback()
        writer.wait_merging_threads()
    except ValueError:
        pass  # already consumed
