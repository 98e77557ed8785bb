"""The search-index half of a store check, per backend: the SQLite store's tantivy
index against the documents table, Elasticsearch duplicates and the copies an
interrupted reindex leaves."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from index.base import Store
from index.finding import Finding
from index.records import document_id
from index.sqlite_search import LEASE_KEY
from index.tantivy_index import ROW_COLUMNS, stamp

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
    """Index every damaged entry exactly once again; says what it did."""
    if store.backend == "sqlite":
        count = _resync_sqlite(store, progress)
        return f"rewrote the search index entries of {count} documents"
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


def _sqlite_problems(store: Any) -> dict[str, list[int]]:
    """Row ids per kind of damage. A writer running meanwhile (a crawl) has documents in
    flight, committed in SQLite and not yet in tantivy for a few milliseconds: only what
    a second look finds again is damage."""
    first = _sqlite_look(store)
    if not any(first.values()):
        return first
    second = _sqlite_look(store)
    return {kind: sorted(set(first[kind]) & set(second[kind])) for kind in first}


def _sqlite_look(store: Any) -> dict[str, list[int]]:
    """The documents against the tantivy index's entries (row id and the stamp of what the
    entry was built from); pending documents are not yet expected there."""
    store.search_index.reload()
    entries = store.search_index.entries()
    indexed: dict[int, set[int]] = {}
    for rowid, entry_stamp in entries:
        indexed.setdefault(rowid, set()).add(entry_stamp)
    twice = sorted({rowid for (rowid, _), n in entries.items() if n > 1}
                   | {rowid for rowid, stamps in indexed.items() if len(stamps) > 1})
    pending = [r[0] for r in store.db.execute("SELECT rowid FROM search_pending ORDER BY rowid")]
    waiting = set(pending)
    if _deferred(store):  # a crawl commits its pending documents every few seconds
        pending = []
    missing, stale = [], []
    seen: set[int] = set()
    for row in store.db.execute(f"SELECT {', '.join(ROW_COLUMNS)} FROM documents ORDER BY rowid"):
        rowid = row[0]
        seen.add(rowid)
        if rowid in waiting:
            continue
        if rowid not in indexed:
            missing.append(rowid)
        elif rowid not in twice and indexed[rowid] != {stamp(row)}:
            stale.append(rowid)
    orphans = sorted(r for r in indexed if r not in seen and r not in waiting)
    return {"unindexed": missing, "indexed-twice": twice, "stale-index": stale + orphans,
            "search-pending": pending}


def _deferred(store: Any) -> bool:
    """Whether a writer holds documents pending on purpose (its lease has not run out)."""
    row = store.db.execute("SELECT value FROM meta WHERE key = ?", (LEASE_KEY,)).fetchone()
    return row is not None and float(row[0]) > time.time()


MESSAGES = {
    "unindexed": "documents missing from the search index",
    "indexed-twice": "documents indexed more than once (search counts and ranking are off)",
    "stale-index": "search index entries out of date or with no stored document",
    "search-pending": "documents written but not yet in the search index (a writer stopped)",
}


def _sqlite_findings(store: Any) -> list[Finding]:
    problems = _sqlite_problems(store)
    findings = []
    for kind, message in MESSAGES.items():
        rowids = problems[kind]
        if rowids:
            findings.append(Finding(kind, len(rowids), _example(store, rowids[0]), message))
    return findings


def _example(store: Any, rowid: int) -> str:
    found = store.db.execute("SELECT id FROM documents WHERE rowid = ?", (rowid,)).fetchone()
    return found[0] if found else f"rowid {rowid}"


def _resync_sqlite(store: Any, progress: Progress | None) -> int:
    problems = _sqlite_problems(store)
    rowids = {rowid for kind in MESSAGES for rowid in problems[kind]}
    store.resync_search(sorted(rowids), progress)
    return len(rowids)


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
