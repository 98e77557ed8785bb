"""Keep incidents current inside the store itself, incrementally.

Each written document waits for placement (``iter_documents(pending=True)``). An
update places only those, oldest first, against the incidents they could join:
``analysis.incidents.IncidentIndex`` asks the store for the incidents indexed under
the document's LSH bands and its places within the time window, so the work follows
the new documents' candidates, not the size of the store. The placement state (per
incident: member signatures, bigrams, places, hotlines), the running sums its record
is made from (``index.incident_summary``) and the records live in the store, so any
process writing it can update incidents; placing a report into an incident updates its
sums by that report and reads none of its other members.

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

import itertools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from analysis.incidents import Fingerprint, IncidentIndex, IncidentState, fingerprint
from index.base import Store
from index.errors import DocumentNotFound, IncidentNotFound
from index.handling import follow_documents, reopen_lifted
from index.incident_records import incident_features
from index.incident_summary import RECENT, IncidentSummary, document_time
from index.records import IncidentRecord, StoredDocument, document_id

logger = logging.getLogger(__name__)

META_ID = "meta"
META_KEY = "m:meta"
SUMMARIES = "summaries"  # in the meta state: every incident's summary is kept
SUMMARY_PREFIX = "sum:"  # the state id of an incident's summary (``IncidentSummary``)
MAX_REFRESHED = 10_000
PREFETCH = 200  # waiting documents whose candidates are read at once


class StoreSource:
    """``analysis.incidents.IncidentSource`` over a store's placement state."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def states(
        self, keys: list[str], *, limits: Mapping[str, int] | None = None
    ) -> list[tuple[IncidentState, list[str]]]:
        """Read light: a candidate's members' signatures and bands only once it needs them."""
        found = self.store.incident_states(keys, limits=limits, light=True)
        return [
            (IncidentState.from_json(state, partial(self._members, state["id"])), found_under)
            for state, found_under in found
            if state.get("id") != META_ID and not state.get("id", "").startswith(SUMMARY_PREFIX)
        ]

    def _members(self, incident_id: str) -> dict[str, Any]:
        return self.store.incident_state_members(incident_id)

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
    if not meta.get(SUMMARIES):  # placed by an older hotwatch: its records' sums, once
        resummarise_incidents(store, None)
        _write_meta(store, _aware(datetime.fromisoformat(meta["now"])))
    index = IncidentIndex(StoreSource(store))
    changed: set[str] = set()
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    steps: dict[str, list[_Step]] = defaultdict(list)
    stopped = False
    waiting = store.iter_documents(pending=True)
    while not stopped and (batch := list(itertools.islice(waiting, PREFETCH))):
        prints = _prefetch(index, batch)
        for doc in batch:
            if stop():
                stopped = True
                break
            if doc.incident_id:
                rest = [
                    d for d in store.iter_documents(incident_id=doc.incident_id) if d.id != doc.id
                ]
                index.remove(doc.incident_id, doc.id, [incident_features(d) for d in rest])
                steps[doc.incident_id].append(rest)  # taken out: summarised again from the rest
            incident_id, joined = _place(index, doc, prints[doc.id])
            if incident_id:
                steps[incident_id].append(doc)
            store.set_incident(doc.id, incident_id, joined=joined)
            if incident_id != doc.incident_id:
                changed.add(doc.id)
                if doc.incident_id and incident_id:
                    moves[doc.incident_id][incident_id] += 1
    summaries = _apply(stored_summaries(store, set(steps)), steps)
    refresh = set(index.touched)
    if not stopped:  # stopped: the recent ones are refreshed by the next update (same meta)
        since = _aware(datetime.fromisoformat(meta["now"])) - RECENT
        recent = {r.id for r in store.list_incidents(since=since, limit=MAX_REFRESHED)}
        summaries |= stored_summaries(store, recent - set(summaries))
        refresh |= recent
    targets = {new for counts in moves.values() for new in counts}
    fresh = {i for i in targets if not _exists(store, i)}
    records, gone = _refresh_records(store, refresh, summaries, now=now)
    follow_documents(store, moves, fresh=fresh, gone=gone, at=now)
    reopen_lifted(store, records, at=now)
    # Stopped: the meta stays, so the next update refreshes the recent ones.
    _write_states(store, index, index.touched, summaries, meta_now=None if stopped else now)
    return len(changed)


def _place(
    index: IncidentIndex, doc: StoredDocument, prints: Fingerprint | None = None
) -> tuple[str | None, bool]:
    """The document's incident, and whether it joined one without being judged relevant
    (then it is relevant through the event: the summary counts it so)."""
    if doc.relevant or index.incident_of(doc.parent_url):
        return index.add(incident_features(doc), prints), False
    incident_id = index.join(incident_features(doc), prints)
    if incident_id is None:
        return None, False
    doc.relevant = True
    return incident_id, True


def _prefetch(index: IncidentIndex, batch: list[StoredDocument]) -> dict[str, Fingerprint]:
    """Fingerprints of a batch of waiting documents, their candidates loaded into
    ``index`` at once."""
    found = {doc.id: incident_features(doc) for doc in batch}
    prints = {doc_id: fingerprint(features) for doc_id, features in found.items()}
    index.prefetch([(found[doc_id], p) for doc_id, p in prints.items()])
    return prints


def rebuild_incidents(store: Store, *, now: datetime | None = None) -> int:
    """Place every stored document again, oldest first, and replace the stored incidents.

    Returns how many documents changed incident.
    """
    return _rebuild(store, _aware(now or datetime.now(UTC)), _never)


def _rebuild(store: Store, now: datetime, stop: Callable[[], bool]) -> int:
    pending = {doc.id for doc in store.iter_documents(pending=True)}
    index = IncidentIndex()
    summaries: dict[str, IncidentSummary] = defaultdict(IncidentSummary)
    before: set[str] = set()
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    changed = 0
    for doc in store.iter_documents():
        if stop():
            raise _Stopped
        incident_id, joined = _place(index, doc)
        if doc.incident_id:
            before.add(doc.incident_id)
        if incident_id != doc.incident_id:
            changed += 1
            if doc.incident_id and incident_id:
                moves[doc.incident_id][incident_id] += 1
        if incident_id != doc.incident_id or doc.id in pending or joined:  # only where needed
            store.set_incident(doc.id, incident_id, joined=joined)
        if incident_id:
            summaries[incident_id].add(doc)
    store.clear_incident_states()
    records = [record_of(store, i, summary, now) for i, summary in summaries.items()]
    store.replace_incidents(records)
    fresh, gone = set(summaries) - before, before - set(summaries)
    follow_documents(store, moves, fresh=fresh, gone=gone, at=now)
    reopen_lifted(store, records, at=now)
    _write_states(store, index, set(index.incidents), summaries, meta_now=now)
    return changed


_Step = StoredDocument | list[StoredDocument]  # a document added, or the members left


def stored_summaries(store: Store, incident_ids: set[str]) -> dict[str, IncidentSummary]:
    """The stored summaries of these incidents (a new incident has none)."""
    keys = [summary_key(i) for i in sorted(incident_ids)]
    return {
        state["id"].removeprefix(SUMMARY_PREFIX): IncidentSummary.from_json(state["summary"])
        for state, _ in store.incident_states(keys)
        if state.get("id", "").startswith(SUMMARY_PREFIX)
    }


def _apply(
    summaries: dict[str, IncidentSummary], steps: dict[str, list[_Step]]
) -> dict[str, IncidentSummary]:
    """Each incident's summary after this run's steps, in order: a document placed is
    added to the sums; a document taken out leaves the rest to be summarised again."""
    for incident_id, todo in steps.items():
        summary = summaries.get(incident_id) or IncidentSummary()
        for step in todo:
            if isinstance(step, list):
                summary = IncidentSummary.of(step)
            else:
                summary.add(step)
        summaries[incident_id] = summary
    return summaries


def resummarise_incidents(
    store: Store, incident_ids: set[str] | None
) -> dict[str, IncidentSummary]:
    """Summaries of these incidents (None: all) from their documents, written to the store;
    for a store placed before summaries were kept, and for ``doctor --repair``. Every
    incident asked for without documents loses its summary."""
    summaries: dict[str, IncidentSummary] = defaultdict(IncidentSummary)
    if incident_ids is None:
        for doc in store.iter_documents():  # one pass over the store
            if doc.incident_id:
                summaries[doc.incident_id].add(doc)
    else:
        for incident_id in sorted(incident_ids):
            for doc in store.iter_documents(incident_id=incident_id):
                summaries[incident_id].add(doc)
    states: dict[str, tuple[list[str], dict[str, Any]] | None] = {
        summary_id(i): _summary_state(i, s) for i, s in summaries.items()
    }
    for incident_id in (incident_ids or set()) - set(summaries):
        states[summary_id(incident_id)] = None
    store.write_incident_states(states)
    return dict(summaries)


def _refresh_records(
    store: Store, incident_ids: set[str], summaries: dict[str, IncidentSummary], *, now: datetime
) -> tuple[list[IncidentRecord], set[str]]:
    """These incidents' records again from their summaries; returns the records and the
    incidents left without documents (deleted)."""
    records: list[IncidentRecord] = []
    gone: list[str] = []
    for incident_id in sorted(incident_ids):
        summary = summaries.get(incident_id)
        if summary is None:
            summary = IncidentSummary.of(list(store.iter_documents(incident_id=incident_id)))
        if summary.documents:
            records.append(record_of(store, incident_id, summary, now))
        else:
            gone.append(incident_id)
    store.put_incidents(records, delete=gone)
    return records, set(gone)


def record_of(
    store: Store, incident_id: str, summary: IncidentSummary, now: datetime
) -> IncidentRecord:
    """The incident's record from its summary, risk as of ``now``."""
    last_24h = summary.recent_count(now)
    if last_24h is None:  # reports dated after ``now``: count from the store
        since = now - RECENT
        docs = store.iter_documents(since - timedelta(seconds=1), incident_id=incident_id)
        last_24h = sum(document_time(d) >= since for d in docs)
    return summary.record(incident_id, last_24h=last_24h)


def _exists(store: Store, incident_id: str) -> bool:
    try:
        store.get_incident(incident_id)
    except IncidentNotFound:
        return False
    return True


def _write_states(
    store: Store,
    index: IncidentIndex,
    incident_ids: set[str],
    summaries: dict[str, IncidentSummary],
    *,
    meta_now: datetime | None,
) -> None:
    """Write these incidents' states and summaries, and (``meta_now``) the update's
    moment, in one call: Elasticsearch waits for one refresh, not one per write."""
    states: dict[str, tuple[list[str], dict[str, Any]] | None] = {}
    added: dict[str, list[str]] = {}
    for incident_id in sorted(incident_ids):
        state = index.incidents.get(incident_id)
        states[incident_id] = (state.keys(), state.to_json()) if state else None
        if state and state.added is not None:  # read from the store: its keys only grew
            added[incident_id] = sorted(state.added)
        summary = summaries.get(incident_id)
        if state is None or summary is not None:
            states[summary_id(incident_id)] = (
                _summary_state(incident_id, summary) if state and summary else None
            )
    if meta_now is not None:
        states[META_ID] = _meta_state(meta_now)
    store.write_incident_states(states, added=added)


def summary_id(incident_id: str) -> str:
    return SUMMARY_PREFIX + incident_id


def summary_key(incident_id: str) -> str:
    return f"m:{summary_id(incident_id)}"


def _summary_state(incident_id: str, summary: IncidentSummary) -> tuple[list[str], dict[str, Any]]:
    state = {"id": summary_id(incident_id), "summary": summary.to_json()}
    return [summary_key(incident_id)], state


def _meta(store: Store) -> dict[str, Any] | None:
    for state, _ in store.incident_states([META_KEY]):
        if state.get("id") == META_ID:
            return state
    return None


def _write_meta(store: Store, now: datetime) -> None:
    store.write_incident_states({META_ID: _meta_state(now)})


def _meta_state(now: datetime) -> tuple[list[str], dict[str, Any]]:
    return [META_KEY], {"id": META_ID, "now": now.isoformat(), SUMMARIES: True}


def _atomic(store: Store) -> AbstractContextManager[object]:
    """One transaction where the backend has them (SQLite); Elasticsearch writes as it goes."""
    atomic = getattr(store, "atomic", None)
    return atomic() if atomic else nullcontext()


def _never() -> bool:
    return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
