"""The PR desk as the digest and the alerts see it: 处置情况 and overdue incidents.

``desk_summary`` counts incidents by handling status, lists the open ones past their
deadline (with assignee) and those closed or marked 误报 during the period (by whom).
It covers incidents someone handled, whatever their age, and untouched ones seen in
the digest's trend window (older untouched incidents have aged out of the desk).

``overdue_incidents`` finds open incidents past their deadline for the one-time
escalation alert (``reports.alerts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from index import IncidentNotFound, IncidentRecord, Store
from index.handling_records import (
    DONE_STATUSES,
    OPEN_STATUSES,
    STATUS_NAMES,
    STATUSES,
    Handling,
    due_at,
)

MAX_UNTOUCHED = 2000
MAX_LISTED = 20


@dataclass(frozen=True)
class DeskItem:
    """An incident on the desk: its record, handling state and deadline."""

    record: IncidentRecord
    handling: Handling
    due: datetime | None

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.handling.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "title": self.record.title,
            "level": self.record.level,
            "status": self.handling.status,
            "assignee": self.handling.assignee,
            "due_at": self.due.isoformat() if self.due else None,
            "updated_by": self.handling.updated_by,
            "updated_at": self.handling.updated_at.isoformat()
            if self.handling.updated_at else None,
        }


@dataclass(frozen=True)
class DeskSummary:
    """处置情况: counts by status, overdue incidents, and those closed in the period."""

    counts: dict[str, int] = field(default_factory=dict)
    overdue: list[DeskItem] = field(default_factory=list)
    closed: list[DeskItem] = field(default_factory=list)
    overdue_total: int = 0

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "overdue_total": self.overdue_total,
            "overdue": [item.to_json() for item in self.overdue],
            "closed": [item.to_json() for item in self.closed],
        }


def desk_summary(
    store: Store,
    deadlines: Mapping[str, timedelta],
    *,
    window_start: datetime,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> DeskSummary:
    """The desk at ``now``: open incidents by status, overdue ones, closed in the period."""
    items = _desk_items(store, deadlines, window_start)
    counts = dict.fromkeys(STATUSES, 0)
    overdue, closed = [], []
    for item in items:
        state = item.handling
        if state.status in DONE_STATUSES:
            changed = _aware(state.updated_at) if state.updated_at else None
            if changed is None or not period_start <= changed < period_end:
                continue
            closed.append(item)
        counts[state.status] += 1
        if state.is_open and item.due is not None and item.due < _aware(now):
            overdue.append(item)
    far = datetime.max.replace(tzinfo=UTC)
    overdue.sort(key=lambda i: i.due or far)
    closed.sort(key=lambda i: i.handling.updated_at or far)
    return DeskSummary(counts, overdue[:MAX_LISTED], closed[:MAX_LISTED], len(overdue))


def overdue_incidents(
    store: Store,
    deadlines: Mapping[str, timedelta],
    *,
    levels: tuple[str, ...],
    since: datetime,
    now: datetime,
) -> list[DeskItem]:
    """Open incidents at these levels past their deadline, seen since ``since`` (an old
    store's forgotten incidents do not all escalate at once), most overdue first."""
    items = [
        item for item in _desk_items(store, deadlines, since)
        if item.record.level in levels and item.handling.is_open and item.due is not None
        and item.due < _aware(now) and _aware(item.record.last_seen) >= since
    ]
    return sorted(items, key=lambda i: i.due or now)


def _desk_items(
    store: Store, deadlines: Mapping[str, timedelta], window_start: datetime
) -> list[DeskItem]:
    """Every handled incident, and the untouched ones seen since ``window_start``."""
    items: dict[str, DeskItem] = {}
    for state in store.list_handling():
        try:
            record = store.get_incident(state.incident_id)
        except IncidentNotFound:  # its documents moved on; the state stays as history
            continue
        items[record.id] = DeskItem(record, state, due_at(record.first_seen, record.level,
                                                           deadlines))
    recent = store.list_incidents(since=window_start, limit=MAX_UNTOUCHED)
    for record in recent:
        if record.id not in items:
            items[record.id] = DeskItem(record, Handling(record.id),
                                        due_at(record.first_seen, record.level, deadlines))
    return [items[key] for key in sorted(items)]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


__all__ = ["OPEN_STATUSES", "DeskItem", "DeskSummary", "desk_summary", "overdue_incidents"]
