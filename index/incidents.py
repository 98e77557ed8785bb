"""Keep incidents current inside the store itself, incrementally.

Each written document waits for placement (``iter_documents(pending=True)``). An
update places only those, oldest first, against the incidents they could join:
``analysis.incidents.IncidentIndex`` asks the store for the incidents indexed under
the document's LSH bands and its places within the time window, so the work follows
the new documents' candidates, not the size of the store. The placement state (per
incident: member signatures, bigrams, places, hotlines) and the incident records
live in the store, so any process writing it can update incidents.

``rebuild_incidents`` places every document again from scratch, in memory, and
replaces the stored state. Documents arriving in order of publication get the same
incidents either way (tested on both backends); a document edited after placement
is taken out of its incident and placed again, while a rebuild would replay it at
its original moment, so after edits the two may name incidents differently.

An update asked to ``stop`` (a signal during ``hotwatch crawl``) stops between two
documents: those placed so far are kept with their incidents' states and records,
the rest keep waiting for the next update. A first placement (a rebuild) keeps none
of its work: the next update starts it again.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

from analysis.incidents import IncidentIndex, IncidentState
from index.base import Store
from index.errors import DocumentNotFound, IncidentNotFound
from index.handling import follow_documents, reopen_lifted
from index.incident_records import incident_features, incident_record
from index.records import IncidentRecord, StoredDocument, document_id

logger = logging.getLogger(__name__)

META_ID = "meta"
META_KEY = "m:meta"
RECENT = timedelta(hours=24)  # risk counts documents of the last 24 hours
MAX_REFRESHED = 10_000


class StoreSource:
    """``analysis.incidents.IncidentSource`` over a store's placement state."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def states(self, keys: list[str]) -> list[IncidentState]:
        return [
            IncidentState.from_json(state)
            for state in self.store.incident_states(keys)
            if state.get("id") != META_ID
        ]

    def incident_of(self, url: str) -> str | None:
        try:
            return self.store.get(document_id(url)).incident_id
        except DocumentNotFound:
            return None


class _Stopped(Exception):
    """A rebuild was asked to stop: its writes are not kept (SQLite rolls them back)."""


def update_incidents(
    store: Store, *, now: datetime | None = None, stop: Callable[[], bool] | None = None
) -> int:
    """Place the documents written since the last update; returns how many changed incident.

    A store that has never been placed (new, or written by an older hotwatch) is
    rebuilt instead. ``stop`` is asked before each document; once it answers true
    the rest wait for the next update.
    """
    try:
        with _atomic(store):
            return _update(store, _aware(now or datetime.now(UTC)), stop or _never)
    except _Stopped:
        return 0


def _update(store: Store, now: datetime, stop: Callable[[], bool]) -> int:
    meta = _meta(store)
    if meta is None:
        return _rebuild(store, now, stop)
    index = IncidentIndex(StoreSource(store))
    changed: set[str] = set()
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    stopped = False
    for doc in store.iter_documents(pending=True):
        if stop():
            stopped = True
            break
        if doc.incident_id:
            rest = [incident_features(d) for d in store.iter_documents(incident_id=doc.incident_id)]
            index.remove(doc.incident_id, doc.id, rest)
        incident_id = None
        if doc.relevant or index.incident_of(doc.parent_url):
            incident_id = index.add(incident_features(doc))
        store.set_incident(doc.id, incident_id)
        if incident_id != doc.incident_id:
            changed.add(doc.id)
            if doc.incident_id and incident_id:
                moves[doc.incident_id][incident_id] += 1
    _write_states(store, index, index.touched)
    refresh = set(index.touched)
    if not stopped:  # stopped: the recent ones are refreshed by the next update (same meta)
        since = _aware(datetime.fromisoformat(meta["now"])) - RECENT
        refresh |= {r.id for r in store.list_incidents(since=since, limit=MAX_REFRESHED)}
    targets = {new for counts in moves.values() for new in counts}
    fresh = {i for i in targets if not _exists(store, i)}
    records, gone = _refresh_records(store, refresh, now=now)
    follow_documents(store, moves, fresh=fresh, gone=gone, at=now)
    reopen_lifted(store, records, at=now)
    if not stopped:
        _write_meta(store, now)
    return len(changed)


def rebuild_incidents(store: Store, *, now: datetime | None = None) -> int:
    """Place every stored document again, oldest first, and replace the stored incidents.

    Returns how many documents changed incident.
    """
    return _rebuild(store, _aware(now or datetime.now(UTC)), _never)


def _rebuild(store: Store, now: datetime, stop: Callable[[], bool]) -> int:
    pending = {doc.id for doc in store.iter_documents(pending=True)}
    index = IncidentIndex()
    groups: dict[str, list[StoredDocument]] = defaultdict(list)
    before: set[str] = set()
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    changed = 0
    for doc in store.iter_documents():
        if stop():
            raise _Stopped
        incident_id = None
        if doc.relevant or index.incident_of(doc.parent_url):
            incident_id = index.add(incident_features(doc))
        if doc.incident_id:
            before.add(doc.incident_id)
        if incident_id != doc.incident_id:
            changed += 1
            if doc.incident_id and incident_id:
                moves[doc.incident_id][incident_id] += 1
        if incident_id != doc.incident_id or doc.id in pending:  # a write only where needed
            store.set_incident(doc.id, incident_id)
        if incident_id:
            groups[incident_id].append(doc)
    store.clear_incident_states()
    _write_states(store, index, set(index.incidents))
    records = [incident_record(i, docs, now=now) for i, docs in groups.items()]
    store.replace_incidents(records)
    follow_documents(store, moves, fresh=set(groups) - before, gone=before - set(groups), at=now)
    reopen_lifted(store, records, at=now)
    _write_meta(store, now)
    return changed


def _refresh_records(
    store: Store, incident_ids: set[str], *, now: datetime
) -> tuple[list[IncidentRecord], set[str]]:
    """Summarise these incidents again; returns the records and the incidents left without
    documents (deleted)."""
    records: list[IncidentRecord] = []
    gone: list[str] = []
    for incident_id in sorted(incident_ids):
        docs = list(store.iter_documents(incident_id=incident_id))
        if docs:
            records.append(incident_record(incident_id, docs, now=now))
        else:
            gone.append(incident_id)
    store.put_incidents(records, delete=gone)
    return records, set(gone)


def _exists(store: Store, incident_id: str) -> bool:
    try:
        store.get_incident(incident_id)
    except IncidentNotFound:
        return False
    return True


def _write_states(store: Store, index: IncidentIndex, incident_ids: set[str]) -> None:
    states: dict[str, tuple[list[str], dict[str, Any]] | None] = {}
    for incident_id in sorted(incident_ids):
        state = index.incidents.get(incident_id)
        states[incident_id] = (state.keys(), state.to_json()) if state else None
    store.write_incident_states(states)


def _meta(store: Store) -> dict[str, Any] | None:
    for state in store.incident_states([META_KEY]):
        if state.get("id") == META_ID:
            return state
    return None


def _write_meta(store: Store, now: datetime) -> None:
    store.write_incident_states({META_ID: ([META_KEY], {"id": META_ID, "now": now.isoformat()})})


def _atomic(store: Store) -> AbstractContextManager[object]:
    """One transaction where the backend has them (SQLite); Elasticsearch writes as it goes."""
    atomic = getattr(store, "atomic", None)
    return atomic() if atomic else nullcontext()


def _never() -> bool:
    return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
