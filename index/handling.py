"""Change an incident's handling, and let handling follow documents when incidents are
rebuilt.

A change is checked, applied to the stored state (or the implicit ``new`` state of
an incident never touched) and written with its history entries in one store call.
When a rebuild or an update moves documents to another incident, the handling of
the incident they left goes with them: an incident that received documents and had
no handling of its own takes a copy of the state and of its history, plus an entry
saying where it came from (a split, or a rename after a merge); one that already had
handling keeps it and notes the merge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime

from analysis.risk import LEVELS
from index.base import Store
from index.handling_records import (
    DONE_STATUSES,
    Handling,
    HandlingChange,
    HistoryEntry,
    apply_change,
)
from index.records import IncidentRecord

SYSTEM_USER = "hotwatch"


def handling_of(store: Store, incident_id: str) -> Handling:
    """The stored handling of an incident, or its implicit ``new`` state."""
    return store.get_handling([incident_id]).get(incident_id) or Handling(incident_id)


def change_handling(
    store: Store,
    incident_id: str,
    change: HandlingChange,
    *,
    user: str,
    at: datetime | None = None,
) -> tuple[Handling, list[HistoryEntry]]:
    """Apply ``change`` by ``user``; raises ``IncidentNotFound`` for an unknown incident and
    ``InvalidChange`` for a bad change, both before anything is written."""
    record = store.get_incident(incident_id)
    current = handling_of(store, incident_id)
    state, entries = apply_change(current, change, user=user, at=at or datetime.now(UTC))
    if state.status != current.status:
        state = replace(state, closed_level=record.level if state.status in DONE_STATUSES else None)
    if entries:
        store.write_handling([state], entries)
    return state, entries


def follow_documents(
    store: Store,
    moves: Mapping[str, Counter[str]],
    *,
    fresh: set[str],
    gone: set[str],
    at: datetime | None = None,
) -> int:
    """Carry handling from the incidents documents left to those they joined.

    ``moves`` maps an old incident id to how many of its documents went to each new
    incident id; ``fresh`` are the incidents that did not exist before, ``gone`` those
    that no longer exist. Handling follows documents into a fresh incident (a split)
    or out of a gone one (a merge); one report edited into another existing incident
    carries nothing. Returns how many incidents received a state.
    """
    at = at or datetime.now(UTC)
    targets = {new for counts in moves.values() for new in counts}
    states = store.get_handling([*moves, *targets])
    written: list[Handling] = []
    entries: list[HistoryEntry] = []
    for old_id in sorted(moves):
        source = states.get(old_id)
        if source is None:
            continue
        for new_id, count in sorted(moves[old_id].items(), key=lambda item: (-item[1], item[0])):
            if new_id == old_id or (new_id not in fresh and old_id not in gone):
                continue
            note = f"重建事件后，{count} 篇报道从 {old_id} 转入本事件"
            target = states.get(new_id)
            if target is not None:
                entries.append(
                    HistoryEntry(new_id, at, SYSTEM_USER, "merged", old_id, source.status, note)
                )
                continue
            moved = replace(source, incident_id=new_id, updated_at=at, updated_by=SYSTEM_USER)
            states[new_id] = moved
            written.append(moved)
            entries.extend(
                replace(entry, incident_id=new_id, id=f"{entry.id}-{new_id}")
                for entry in store.iter_history(old_id)
            )
            entries.append(HistoryEntry(new_id, at, SYSTEM_USER, "moved", old_id, new_id, note))
    if written or entries:
        store.write_handling(written, entries)
    return len(written)


def reopen_lifted(
    store: Store, records: Iterable[IncidentRecord], *, at: datetime | None = None
) -> list[str]:
    """Reopen (to ``watching``) closed or 误报 incidents whose new reports lifted their risk
    level above the level they had when closed; returns their ids."""
    records = {r.id: r for r in records}
    at = at or datetime.now(UTC)
    reopened: list[Handling] = []
    entries: list[HistoryEntry] = []
    for state in store.get_handling(records).values():
        record = records[state.incident_id]
        if state.status not in DONE_STATUSES or state.closed_level is None:
            continue
        if LEVELS.index(record.level) <= LEVELS.index(state.closed_level):
            continue
        note = f"新报道使风险等级由 {state.closed_level} 升至 {record.level}，重新打开"
        entries.append(
            HistoryEntry(
                state.incident_id, at, SYSTEM_USER, "status", state.status, "watching", note
            )
        )
        reopened.append(
            replace(
                state, status="watching", closed_level=None, updated_at=at, updated_by=SYSTEM_USER
            )
        )
    if reopened:
        store.write_handling(reopened, entries)
    return [s.incident_id for s in reopened]
