"""The search-index half of a store check, per backend: the SQLite FTS5 index against the
documents table, Elasticsearch duplicates and the copies an interrupted reindex leaves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from index.base import Store
from index.finding import Finding
from index.records import document_id
from index.sqlite_search import (
    FILL_SEARCH_COLUMNS,
    ORPHAN_SEARCH_COLUMNS,
    OUT_OF_DATE_SEARCH_COLUMNS,
)
from index.tokens import index_text

Progress = Callable[[str, int], None]
PROGRESS_EVERY = 10_000
EXAMPLES = 1000


def index_findings(store: Store) -> list[Finding]:
    if store.backend == "sqlite":
        return _sqlite_findings(store)
    return _elasticsearch_duplicates(store)


def leftover_findings(store: Store) -> list[Finding]:
    if store.backend != "elasticsearch":
        return []
    leftovers = _leftover_indices(store)
    if not leftovers:
        return []
    return [
        Finding(
            "leftover-index", len(leftovers), leftovers[0],
            "index copies an interrupted reindex left behind no alias", ids=leftovers,
        )
    ]


def rebuild_search_index(store: Store, progress: Progress | None = None) -> str:
    """Index every stored document exactly once again; says what it did."""
    if store.backend == "sqlite":
        count = _rebuild_fts(store, progress)
        return f"rebuilt the search index from {count} stored documents"
    removed = _remove_duplicate_copies(store)
    return f"removed {removed} second copies of documents (each keeps the copy under its own id)"


def remove_leftover_copies(store: Store) -> list[str]:
    """Drop leftover index copies; a document found only in a copy is written first."""
    done = []
    for name in _leftover_indices(store):
        client: Any = store.client  # type: ignore[attr-defined]
        rescued = 0
        if name.startswith(store.documents):  # type: ignore[attr-defined]
            from elasticsearch import helpers

            from index.elasticsearch_body import stored_document

            for hit in helpers.scan(client, index=name, query={"query": {"match_all": {}}}):
                doc = stored_document(hit["_source"])
                if not _exists(store, doc.id):
                    store.upsert(doc)
                    rescued += 1
        client.indices.delete(index=name, ignore_unavailable=True)
        done.append(f"removed the leftover index copy {name} ({rescued} documents only there kept)")
    return done


# -- SQLite --------------------------------------------------------------------------


def _sqlite_findings(store: Any) -> list[Finding]:
    db = store.db
    findings = []
    missing = [
        r[0]
        for r in db.execute(
            "SELECT d.id FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM documents_fts_docsize s WHERE s.id = d.rowid) LIMIT ?",
            (EXAMPLES,),
        )
    ]
    if missing:
        count = db.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM documents_fts_docsize s WHERE s.id = d.rowid)"
        ).fetchone()[0]
        findings.append(
            Finding("unindexed", count, missing[0], "documents missing from the search index")
        )
    stale = db.execute(
        "SELECT count(*), min(s.id) FROM documents_fts_docsize s WHERE NOT EXISTS "
        "(SELECT 1 FROM documents d WHERE d.rowid = s.id)"
    ).fetchone()
    if stale[0]:
        findings.append(
            Finding(
                "stale-index", stale[0], f"rowid {stale[1]}",
                "search index entries with no stored document",
            )
        )
    findings += _search_column_findings(db)
    indexed = db.execute("SELECT count(*) FROM documents_fts_docsize").fetchone()[0]
    averages = _varints(_averages_record(db))
    twice = (averages[0] if averages else 0) - indexed
    if twice > 0:
        findings.append(
            Finding("indexed-twice", twice, _indexed_twice_example(db, averages, twice),
                    "documents indexed more than once (search counts and ranking are off)")
        )
    return findings


def _search_column_findings(db: Any) -> list[Finding]:
    """Search filters and facets read ``search_columns``: a document missing there, or
    out of date, is hidden from (or wrongly counted in) every filtered search."""
    out_of_date = [r[0] for r in db.execute(OUT_OF_DATE_SEARCH_COLUMNS)]
    orphans = [r[0] for r in db.execute(ORPHAN_SEARCH_COLUMNS)]
    if not out_of_date and not orphans:
        return []
    example = out_of_date[0] if out_of_date else f"rowid {orphans[0]}"
    return [
        Finding(
            "search-columns", len(out_of_date) + len(orphans), example,
            "documents whose search filters and facets are missing or out of date",
        )
    ]


def rebuild_search_columns(store: Any) -> str:
    """Write every document's search columns again from the document and its tags."""
    with store._transaction():
        store.db.execute("DELETE FROM search_columns")
        count = store.db.execute(FILL_SEARCH_COLUMNS).rowcount
    return f"rewrote the search filters and facets of {count} stored documents"


def _averages_record(db: Any) -> bytes:
    """FTS5's averages record (id 1): the rows it believes it holds, then each column's
    total tokens; an insert for a rowid already indexed counts again there."""
    row = db.execute("SELECT block FROM documents_fts_data WHERE id = 1").fetchone()
    return bytes(row[0]) if row and row[0] else b""


def _varints(data: bytes) -> list[int]:
    """SQLite varints (big-endian, 7 bits a byte) one after another."""
    values, value = [], 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values


def _indexed_twice_example(db: Any, averages: list[int], twice: int) -> str | None:
    """The document indexed twice, when one was: its tokens per column are what the index
    counts beyond the documents' own (FTS5 keeps no other trace of the second insert)."""
    if twice != 1:
        return None
    columns = len(averages) - 1
    totals = [0] * columns
    sizes = []
    for rowid, size in db.execute("SELECT id, sz FROM documents_fts_docsize"):
        counts = _varints(bytes(size))
        sizes.append((rowid, counts))
        totals = [t + c for t, c in zip(totals, counts, strict=False)]
    excess = [a - t for a, t in zip(averages[1:], totals, strict=True)]
    rowids = [rowid for rowid, counts in sizes if counts == excess]
    if len(rowids) != 1:
        return None
    found = db.execute("SELECT id FROM documents WHERE rowid = ?", (rowids[0],)).fetchone()
    return found[0] if found else None


def _rebuild_fts(store: Any, progress: Progress | None) -> int:
    db = store.db
    count = 0
    with store._transaction():
        db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
        for rowid, title, text in db.execute("SELECT rowid, title, text FROM documents"):
            db.execute(
                "INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)",
                (rowid, index_text(title), index_text(text)),
            )
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress("search index", count)
    return count


# -- Elasticsearch -------------------------------------------------------------------


def _duplicate_hits(store: Any) -> list[dict[str, Any]]:
    """Documents stored under an id that is not their URL's: a second copy of an article."""
    body = {
        "size": 0,
        "aggs": {"urls": {"terms": {"field": "url", "min_doc_count": 2, "size": EXAMPLES}}},
    }
    store._before_read()
    answer = store.client.search(index=store.documents, body=body)
    urls = [bucket["key"] for bucket in answer["aggregations"]["urls"]["buckets"]]
    if not urls:
        return []
    hits = store.client.search(
        index=store.documents, query={"terms": {"url": urls}}, size=EXAMPLES, source=["url"]
    )["hits"]["hits"]
    return [h for h in hits if h["_id"] != document_id(h["_source"]["url"])]


def _elasticsearch_duplicates(store: Any) -> list[Finding]:
    copies = _duplicate_hits(store)
    if not copies:
        return []
    return [
        Finding(
            "indexed-twice", len(copies), copies[0]["_source"]["url"],
            "documents indexed more than once (under a second id)",
        )
    ]


def _remove_duplicate_copies(store: Any) -> int:
    """Delete the second copies only: the document under its URL's own id stays."""
    copies = _duplicate_hits(store)
    for hit in copies:
        store.client.delete(index=hit["_index"], id=hit["_id"], refresh=True)
    return len(copies)


def _leftover_indices(store: Any) -> list[str]:
    client = store.client
    leftovers = []
    for alias in (
        store.documents, store.fetches, store.incidents, store.incident_states_alias
    ):
        found = client.indices.get(index=f"{alias}-v*", allow_no_indices=True)
        for name, info in found.items():
            if name.rsplit("-v", 1)[0] == alias and alias not in info.get("aliases", {}):
                leftovers.append(name)
    return sorted(leftovers)


def _exists(store: Any, doc_id: str) -> bool:
    return bool(store.client.exists(index=store.documents, id=doc_id))
