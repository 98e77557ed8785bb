"""The PR team's desk behind ``hotwatch incidents --status/--assignee/--overdue`` and
``hotwatch incident ID --status ...``: each incident's handling, deadline and history.

The deadline is the incident's first report plus its risk level's allowance from
``[workflow.deadlines]``; an incident is overdue while it is still open
(new, watching, handling) past it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hotwatch.users import UserBook, UserError
from index import IncidentNotFound, IncidentRecord, Store
from index.copy import all_incidents
from index.handling import change_handling
from index.handling_records import (
    OPEN_STATUSES,
    STATUS_NAMES,
    STATUSES,
    Handling,
    HandlingChange,
    HistoryEntry,
    InvalidChange,
)
from index.handling_records import due_at as deadline_of

PAGE = 1000


@dataclass
class IncidentHandling:
    """An incident with its handling: status, assignee, deadline and (when asked) history."""

    record: IncidentRecord
    handling: Handling
    due_at: datetime | None
    overdue: bool
    history: list[HistoryEntry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "title": self.record.title,
            "level": self.record.level,
            "status": self.handling.status,
            "status_name": STATUS_NAMES[self.handling.status],
            "assignee": self.handling.assignee,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "overdue": self.overdue,
            "response_url": self.handling.response_url,
            "response_at": _iso(self.handling.response_at),
            "updated_at": _iso(self.handling.updated_at),
            "updated_by": self.handling.updated_by,
            "history": [entry.to_json() for entry in self.history],
        }


def due_at(record: IncidentRecord, deadlines: Mapping[str, timedelta]) -> datetime | None:
    return deadline_of(record.first_seen, record.level, deadlines)


def with_handling(
    record: IncidentRecord,
    handling: Handling | None,
    deadlines: Mapping[str, timedelta],
    *,
    now: datetime,
    history: list[HistoryEntry] | None = None,
) -> IncidentHandling:
    handling = handling or Handling(record.id)
    due = due_at(record, deadlines)
    overdue = handling.is_open and due is not None and _aware(now) > due
    return IncidentHandling(record, handling, due, overdue, history or [])


def todo(
    store: Store,
    deadlines: Mapping[str, timedelta],
    *,
    statuses: Sequence[str] = (),
    assignee: str | None = None,
    overdue: bool = False,
    levels: Sequence[str] = (),
    now: datetime,
    limit: int = 50,
    records: Iterable[IncidentRecord] | None = None,
) -> list[IncidentHandling]:
    """Incidents of these statuses / this assignee (overdue ones only if asked), by
    deadline, soonest first; incidents without a deadline last, riskiest first.

    ``records``: every incident, when the caller keeps them (the web page caches them
    for a minute); otherwise they are read from the store."""
    for status in statuses:
        if status not in STATUSES:
            raise InvalidChange(f"unknown status {status!r} (choose from {', '.join(STATUSES)})")
    if overdue:
        statuses = [s for s in statuses or OPEN_STATUSES if s in OPEN_STATUSES]
    found: list[IncidentHandling] = []
    if assignee is not None or (statuses and "new" not in statuses):
        # Only incidents someone touched can match: start from their stored handling.
        for state in store.list_handling(statuses=tuple(statuses), assignee=assignee):
            try:
                record = store.get_incident(state.incident_id)
            except IncidentNotFound:  # its documents moved on; the state stays as history
                continue
            if not levels or record.level in levels:
                found.append(with_handling(record, state, deadlines, now=now))
    else:
        page: list[IncidentRecord] = []
        for record in _incidents(store, levels, records):
            page.append(record)
            if len(page) == PAGE:
                found += _joined(store, page, deadlines, now=now)
                page = []
        found += _joined(store, page, deadlines, now=now)
        if statuses:
            found = [f for f in found if f.handling.status in statuses]
    if overdue:
        found = [f for f in found if f.overdue]
    far = datetime.max.replace(tzinfo=UTC)
    found.sort(key=lambda f: (f.due_at or far, -f.record.score))
    return found[:limit]


def _incidents(
    store: Store, levels: Sequence[str], records: Iterable[IncidentRecord] | None
) -> Iterable[IncidentRecord]:
    every = all_incidents(store) if records is None else records
    if not levels:
        return every
    return (r for r in every if r.level in levels)


def _joined(
    store: Store,
    records: list[IncidentRecord],
    deadlines: Mapping[str, timedelta],
    *,
    now: datetime,
) -> list[IncidentHandling]:
    states = store.get_handling(r.id for r in records)
    return [with_handling(r, states.get(r.id), deadlines, now=now) for r in records]


class HandlingDesk:
    """``Hotwatch.handling``: see and change how incidents are handled."""

    def __init__(
        self,
        deadlines: Mapping[str, timedelta],
        store: Callable[[], AbstractContextManager[Store]],
        users: UserBook | None = None,
    ) -> None:
        self._deadlines = deadlines
        self._store = store
        self._users = users

    def show(self, incident_id: str, *, now: datetime | None = None) -> IncidentHandling:
        """One incident's handling with its whole history (raises ``IncidentNotFound``)."""
        with self._store() as store:
            record = store.get_incident(incident_id)
            state = store.get_handling([incident_id]).get(incident_id)
            history = list(store.iter_history(incident_id))
        return with_handling(
            record, state, self._deadlines, now=now or datetime.now(UTC), history=history
        )

    def change(
        self,
        incident_id: str,
        *,
        user: str,
        status: str | None = None,
        assignee: str | None = None,
        note: str = "",
        response_url: str | None = None,
        now: datetime | None = None,
    ) -> IncidentHandling:
        """Change status, assignee (``""`` clears it), the official response's URL, or add a
        note, as ``user``; every change goes into the history. Raises ``InvalidChange`` or
        ``IncidentNotFound`` before writing anything."""
        change = HandlingChange(
            status=status, assignee=assignee, note=note, response_url=response_url
        )
        if assignee and self._users is not None and self._users.any_users():
            try:
                self._users.require_active(assignee)
            except UserError as error:  # once users exist, only they can be assigned
                raise InvalidChange(f"cannot assign to {assignee!r}: {error}") from error
        with self._store() as store:
            change_handling(store, incident_id, change, user=user, at=now)
        return self.show(incident_id, now=now)

    def todo(
        self,
        *,
        statuses: Sequence[str] = (),
        assignee: str | None = None,
        overdue: bool = False,
        levels: Sequence[str] = (),
        limit: int = 50,
        now: datetime | None = None,
        records: Callable[[Store], Iterable[IncidentRecord]] | None = None,
    ) -> list[IncidentHandling]:
        """The 待办 list: incidents by deadline, filtered by status, assignee, overdue, level.
        Raises ``InvalidChange`` for an unknown status. ``records(store)`` may supply every
        incident from a cache."""
        with self._store() as store:
            return todo(
                store,
                self._deadlines,
                statuses=statuses,
                assignee=assignee,
                overdue=overdue,
                levels=levels,
                now=now or datetime.now(UTC),
                limit=limit,
                records=None if records is None else records(store),
            )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
