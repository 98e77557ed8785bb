"""Copy one store into another (SQLite ⇄ Elasticsearch): documents, fetch times, incidents
and their handling with its history.

Everything goes through the ``Store`` protocol, so any two backends work. Documents are
upserted by canonical URL and incidents replaced as a whole, so running a copy twice
duplicates nothing (history entries are written by id, so none doubles). The fetch
time of each document's canonical and fetched URL is carried over; other fetch
records (alias URLs a crawl met on the way, such as redirects) cannot be listed
through the protocol, so the next crawl fetches those once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from index.base import Store
from index.errors import StoreError, StoreUnavailable
from index.records import IncidentRecord, StoredDocument

INCIDENT_PAGE = 1000
Progress = Callable[[int, int], None]  # (documents copied so far, documents in the source)


class CopyMismatch(StoreError):
    """The target's counts after a copy are not what the copy wrote."""


@dataclass
class CopyReport:
    source: str
    target: str
    documents: int = 0  # read from the source and written to the target
    outcomes: Counter[str] = field(default_factory=Counter)  # new / updated / unchanged
    fetches: int = 0  # fetch times carried over beyond the documents' own
    incidents: int = 0
    handling: int = 0  # incidents with a handling state
    history: int = 0  # their history entries
    target_documents: int = 0  # counted in the target at the end
    target_incidents: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "documents": self.documents,
            "new": self.outcomes["new"],
            "updated": self.outcomes["updated"],
            "unchanged": self.outcomes["unchanged"],
            "fetches": self.fetches,
            "incidents": self.incidents,
            "handling": self.handling,
            "history": self.history,
            "target_documents": self.target_documents,
            "target_incidents": self.target_incidents,
        }


def copy_store(
    source: Store, target: Store, *, batch_size: int = 500, progress: Progress | None = None
) -> CopyReport:
    """Copy every document, fetch time and incident of ``source`` into ``target``.

    Raises ``StoreUnavailable`` when the target could not take the documents (an
    Elasticsearch target that spooled them), ``CopyMismatch`` when the counts after
    the copy do not add up.
    """
    report = CopyReport(source=source.backend, target=target.backend)
    total = source.stats()["documents"]
    target_before = target.stats()["documents"]
    for batch in batches(source.iter_documents(), batch_size):
        report.outcomes.update(target.upsert_many(batch))
        report.fetches += copy_fetch_times(source, target, batch)
        report.documents += len(batch)
        if progress is not None:
            progress(report.documents, total)
    if report.outcomes["spooled"]:
        raise StoreUnavailable(
            f"the {target.backend} store did not take {report.outcomes['spooled']} document(s) "
            "(they wait in its spool); copy again once it is reachable"
        )
    incidents = list(all_incidents(source))
    target.replace_incidents(incidents)
    report.incidents = len(incidents)
    states, history = source.list_handling(), list(source.iter_history())
    target.write_handling(states, history)
    report.handling, report.history = len(states), len(history)
    verify(report, target, expected_documents=target_before + report.outcomes["new"])
    return report


def batches(documents: Iterable[StoredDocument], size: int) -> Iterator[list[StoredDocument]]:
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


def copy_fetch_times(source: Store, target: Store, batch: list[StoredDocument]) -> int:
    """Carry fetch times that differ from the documents' own (an upsert records those)."""
    carried = 0
    for doc in batch:
        for url in dict.fromkeys(u for u in (doc.url, doc.fetched_url) if u):
            fetched_at = source.last_fetched(url)
            if fetched_at is not None and not _same_moment(fetched_at, doc.fetched_at):
                target.record_fetch(url, fetched_at)
                carried += 1
    return carried


def all_incidents(store: Store) -> Iterator[IncidentRecord]:
    """Every incident record, page by page."""
    offset = 0
    while page := store.list_incidents(limit=INCIDENT_PAGE, offset=offset):
        yield from page
        offset += len(page)


def verify(report: CopyReport, target: Store, *, expected_documents: int) -> None:
    counts = target.stats()
    report.target_documents = counts["documents"]
    report.target_incidents = counts["incidents"]
    if report.target_documents != expected_documents:
        raise CopyMismatch(
            f"the {target.backend} store holds {report.target_documents} document(s) after the "
            f"copy, expected {expected_documents}"
        )
    if report.target_incidents != report.incidents:
        raise CopyMismatch(
            f"the {target.backend} store holds {report.target_incidents} incident(s) after the "
            f"copy, expected {report.incidents}"
        )


def _same_moment(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a == b
