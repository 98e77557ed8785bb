"""What a crash can leave a store with, found and mended: ``hotwatch doctor`` for the index.

Checks are derived-state checks: the collected documents are the truth, and the
search index, incident placement and incident records must agree with them.
Repairs only rebuild derived state (search index, placement, incident records,
spool replay); no collected document is ever deleted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from index.base import Store
from index.consistency_index import (
    index_findings,
    leftover_findings,
    rebuild_search_index,
    remove_leftover_copies,
)
from index.finding import Finding
from index.incidents import (
    rebuild_incidents,
    record_of,
    resummarise_incidents,
    update_incidents,
)
from index.records import StoredDocument

Progress = Callable[[str, int], None]  # (stage, documents so far)
PROGRESS_EVERY = 10_000
MAX_INCIDENTS = 10_000  # a page of incident records (Elasticsearch's result window)


@dataclass
class _Scan:
    """One pass over every document: what placement and incident checks need."""

    documents: int = 0
    unplaced: list[str] = field(default_factory=list)
    unassigned: list[str] = field(default_factory=list)
    members: Counter[str] = field(default_factory=Counter)
    example_member: dict[str, str] = field(default_factory=dict)


def check_store(store: Store, progress: Progress | None = None) -> list[Finding]:
    """Every inconsistency found, each kind once with a count and an example id."""
    findings = index_findings(store) + leftover_findings(store)
    spooled = store.spooled() if hasattr(store, "spooled") else 0
    if spooled:
        example = store.spool.read()[0].get("url")  # type: ignore[attr-defined]
        findings.append(
            Finding("spooled", spooled, example, "documents waiting in the Elasticsearch spool")
        )
    scan = _scan(store, progress)
    if scan.unplaced:
        findings.append(
            Finding(
                "unplaced",
                len(scan.unplaced),
                scan.unplaced[0],
                "documents written but never placed in an incident",
            )
        )
    if scan.unassigned:
        findings.append(
            Finding(
                "unassigned",
                len(scan.unassigned),
                scan.unassigned[0],
                "relevant documents placed in no incident",
            )
        )
    findings += _incident_findings(store, scan)
    return findings


def repair_store(
    store: Store, findings: list[Finding], progress: Progress | None = None
) -> list[str]:
    """Mend what ``check_store`` found; returns one line per action taken."""
    kinds = {f.kind for f in findings}
    done: list[str] = []
    if kinds & {"unindexed", "indexed-twice", "stale-index", "search-pending"}:
        done.append(rebuild_search_index(store, progress))
    if "leftover-index" in kinds:
        done += remove_leftover_copies(store)
    if "spooled" in kinds:
        sent = store.flush_spool()  # type: ignore[attr-defined]
        done.append(f"replayed {sent} spooled documents into Elasticsearch (and placed them)")
    if "unassigned" in kinds:
        changed = rebuild_incidents(store)
        done.append(f"rebuilt incidents from every document ({changed} changed incident)")
    elif "unplaced" in kinds:
        changed = update_incidents(store)
        done.append(f"placed the waiting documents in incidents ({changed} changed incident)")
    if kinds & {"incident-count", "incident-orphan", "incident-empty"}:
        # After any placement above: a record rewritten from its members is right either way.
        recounted = recount_incidents(store, _disagreeing(findings))
        done.append(f"recounted {recounted} incident records from their documents")
    return done


def recount_incidents(store: Store, incident_ids: set[str]) -> int:
    """Rewrite these incident records and their summaries from their member documents
    (none: the record goes)."""
    summaries = resummarise_incidents(store, incident_ids)
    now = datetime.now(UTC)
    records = [record_of(store, i, s, now) for i, s in sorted(summaries.items())]
    store.put_incidents(records, delete=incident_ids - set(summaries))
    return len(incident_ids)


def _scan(store: Store, progress: Progress | None) -> _Scan:
    scan = _Scan()
    unplaced = {doc.id for doc in store.iter_documents(pending=True)}
    for doc in store.iter_documents():
        scan.documents += 1
        _note(scan, doc, doc.id in unplaced)
        if progress and scan.documents % PROGRESS_EVERY == 0:
            progress("documents", scan.documents)
    return scan


def _note(scan: _Scan, doc: StoredDocument, unplaced: bool) -> None:
    if unplaced:
        scan.unplaced.append(doc.id)
    elif doc.relevant and not doc.incident_id:
        scan.unassigned.append(doc.id)
    if doc.incident_id:
        scan.members[doc.incident_id] += 1
        scan.example_member.setdefault(doc.incident_id, doc.id)


def _incident_findings(store: Store, scan: _Scan) -> list[Finding]:
    records = {}
    offset = 0
    while True:  # Elasticsearch pages no further than its result window: one page there
        page = store.list_incidents(limit=MAX_INCIDENTS, offset=offset)
        records.update((r.id, r) for r in page)
        if len(page) < MAX_INCIDENTS or store.backend != "sqlite":
            break
        offset += MAX_INCIDENTS
    wrong: dict[str, list[str]] = defaultdict(list)
    for incident_id, record in sorted(records.items()):
        members = scan.members.get(incident_id, 0)
        if members == 0:
            wrong["incident-empty"].append(incident_id)
        elif members != record.documents:
            wrong["incident-count"].append(incident_id)
    for incident_id in sorted(set(scan.members) - set(records)):
        wrong["incident-orphan"].append(incident_id)
    messages = {
        "incident-count": "incidents whose document count disagrees with their members",
        "incident-empty": "incident records with no member document",
        "incident-orphan": "incidents with member documents but no record",
    }
    return [Finding(kind, len(ids), ids[0], messages[kind], ids=ids) for kind, ids in wrong.items()]


def _disagreeing(findings: list[Finding]) -> set[str]:
    return {
        incident_id for f in findings if f.kind.startswith("incident-") for incident_id in f.ids
    }
