"""An incident that reached an alert level: what every alert channel formats and sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from index import IncidentRecord
from reports.desk import DeskItem
from reports.digest_model import IncidentItem
from reports.formatting import level_label
from reports.history import rank


@dataclass(frozen=True)
class Alert:
    """An incident that reached a level (``previous_level`` set when it escalated).

    ``channels`` names the channels it goes to: those whose level it reaches and
    that have not had it within the cool-down.
    """

    item: IncidentItem
    previous_level: str | None
    channels: tuple[str, ...] = ()
    overdue: DeskItem | None = None  # set for the one-time 处置逾期 escalation

    @property
    def due_at(self) -> datetime | None:
        return self.overdue.due if self.overdue else None

    @property
    def record(self) -> IncidentRecord:
        return self.item.record

    @property
    def level(self) -> str:
        return self.record.level

    @property
    def escalated(self) -> bool:
        return self.previous_level is not None and rank(self.level) > rank(self.previous_level)

    @property
    def key(self) -> str:
        if self.overdue is not None:  # once per deadline (a higher level sets a new one)
            due = self.overdue.due.isoformat(timespec="minutes") if self.overdue.due else "-"
            return f"overdue:{self.record.id}:{due}"
        return f"alert:{self.record.id}:{self.level}"

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "hotwatch.alert",
            "key": self.key,
            "level": self.level,
            "level_name": level_label(self.level),
            "previous_level": self.previous_level,
            "escalated": self.escalated,
            "overdue": self.overdue.to_json() if self.overdue else None,
            "incident": self.item.to_json(),
        }
