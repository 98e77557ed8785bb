"""How a PR team handles an incident (研判 → 处置 → 回应 → 结案): its state and the
append-only history of every change, whatever the backend.

An incident nobody has touched has no stored state; it reads as ``new`` with no
assignee. Each change writes the whole new state and appends one history entry per
field that changed, so the history is never rewritten, only added to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from index.errors import StoreError

STATUSES: tuple[str, ...] = ("new", "watching", "handling", "responded", "closed", "false_positive")
STATUS_NAMES = {
    "new": "待研判",
    "watching": "关注中",
    "handling": "处置中",
    "responded": "已回应",
    "closed": "已结案",
    "false_positive": "误报",
}
OPEN_STATUSES: tuple[str, ...] = ("new", "watching", "handling")
DONE_STATUSES: tuple[str, ...] = ("closed", "false_positive")
TRACKED_FIELDS: tuple[str, ...] = ("status", "assignee", "response_url", "response_at")
MAX_NOTE = 4000


class InvalidChange(StoreError):
    """A handling change that cannot be made (unknown status, unreadable note...)."""


@dataclass
class HistoryEntry:
    """One change: when, by whom, which field from what to what, and why."""

    incident_id: str
    at: datetime
    user: str
    field: str  # a tracked field, "note" for a note alone, or "moved" after a rebuild
    old: str | None = None
    new: str | None = None
    note: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "at": self.at.isoformat(),
            "user": self.user,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HistoryEntry:
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


@dataclass
class Handling:
    """An incident's handling state; ``updated_at`` is None for one never touched."""

    incident_id: str
    status: str = "new"
    assignee: str | None = None
    response_url: str | None = None
    response_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    closed_level: str | None = None  # the risk level when closed / marked 误报

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_json(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "status": self.status,
            "assignee": self.assignee,
            "response_url": self.response_url,
            "response_at": _iso(self.response_at),
            "updated_at": _iso(self.updated_at),
            "updated_by": self.updated_by,
            "closed_level": self.closed_level,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Handling:
        values = dict(data)
        for name in ("response_at", "updated_at"):
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)


@dataclass(frozen=True)
class HandlingChange:
    """What a user asks to change; None leaves a field as it is, "" clears the assignee."""

    status: str | None = None
    assignee: str | None = None
    note: str = ""
    response_url: str | None = None
    response_at: datetime | None = None


def apply_change(
    current: Handling, change: HandlingChange, *, user: str, at: datetime
) -> tuple[Handling, list[HistoryEntry]]:
    """The new state and its history entries; raises ``InvalidChange`` for a bad change.

    A change with nothing new and no note is no change: no entries, state as it was.
    """
    check_change(change, user=user)
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    wanted: dict[str, Any] = {}
    if change.status is not None:
        wanted["status"] = change.status
    if change.assignee is not None:
        wanted["assignee"] = change.assignee or None
    if change.response_url is not None:
        wanted["response_url"] = change.response_url or None
        wanted["response_at"] = change.response_at or at
    entries = [
        HistoryEntry(
            current.incident_id, at, user, name, _text(getattr(current, name)), _text(value)
        )
        for name, value in wanted.items()
        if getattr(current, name) != value
    ]
    note = change.note.strip()
    if note and entries:
        entries[0].note = note
    elif note:
        entries.append(HistoryEntry(current.incident_id, at, user, "note", note=note))
    if not entries:
        return current, []
    changed = {k: v for k, v in wanted.items() if getattr(current, k) != v}
    return replace(current, **changed, updated_at=at, updated_by=user), entries


def check_change(change: HandlingChange, *, user: str) -> None:
    if change.status is not None and change.status not in STATUSES:
        raise InvalidChange(f"unknown status {change.status!r} (choose from {', '.join(STATUSES)})")
    for name, text in (("note", change.note), ("assignee", change.assignee), ("user", user)):
        if text is None:
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidChange(f"the {name} is not valid UTF-8 text") from None
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
            raise InvalidChange(f"the {name} contains control characters")
    if len(change.note) > MAX_NOTE:
        raise InvalidChange(f"the note is longer than {MAX_NOTE} characters")
    if change.response_url and not change.response_url.startswith(("http://", "https://")):
        raise InvalidChange(
            f"the response URL must start with http:// or https://: {change.response_url!r}"
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def due_at(
    first_seen: datetime, level: str, deadlines: Mapping[str, timedelta]
) -> datetime | None:
    """The deadline of an incident first seen then at ``level`` (None: that level has none)."""
    allowance = deadlines.get(level)
    if allowance is None:
        return None
    start = first_seen if first_seen.tzinfo else first_seen.replace(tzinfo=UTC)
    return start + allowance
