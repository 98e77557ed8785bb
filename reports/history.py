"""Risk-level history of incidents: ``data_dir/reports/incident_levels.json``.

The index keeps only each incident's current level. To tell which incidents
escalated, and to draw an incident's risk history, each observation that differs
from the last recorded one is appended here with its time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from analysis.risk import LEVELS
from index import IncidentRecord, Store
from reports.state import read_json, write_json

HISTORY_FILE = "incident_levels.json"
OBSERVE_PAGE = 500


@dataclass(frozen=True)
class LevelChange:
    """One recorded level: ``previous`` is None the first time an incident is seen."""

    incident_id: str
    level: str
    score: int
    at: datetime
    previous: str | None

    @property
    def escalated(self) -> bool:
        return self.previous is not None and rank(self.level) > rank(self.previous)


def rank(level: str) -> int:
    return LEVELS.index(level)


class LevelHistory:
    """Load, extend and save the level history of every incident."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / HISTORY_FILE
        data = read_json(self.path, {})
        self.entries: dict[str, list[dict[str, Any]]] = data.get("incidents", {})

    def observe(self, records: Iterable[IncidentRecord], now: datetime) -> list[LevelChange]:
        """Record the level of each incident if it changed; returns the changes."""
        changes = []
        for record in records:
            entries = self.entries.setdefault(record.id, [])
            previous = str(entries[-1]["level"]) if entries else None
            if previous == record.level:
                continue
            entries.append(
                {"level": record.level, "score": record.score, "at": now.isoformat()}
            )
            changes.append(LevelChange(record.id, record.level, record.score, now, previous))
        return changes

    def changes(self, incident_id: str) -> list[LevelChange]:
        """The recorded levels of one incident, oldest first."""
        out, previous = [], None
        for entry in self.entries.get(incident_id, []):
            level = str(entry["level"])
            at = datetime.fromisoformat(str(entry["at"]))
            out.append(LevelChange(incident_id, level, int(entry["score"]), at, previous))
            previous = level
        return out

    def escalations(self, start: datetime, end: datetime) -> dict[str, LevelChange]:
        """Per incident, its highest escalation recorded in ``[start, end)``."""
        found: dict[str, LevelChange] = {}
        for incident_id in self.entries:
            for change in self.changes(incident_id):
                if not (start <= change.at < end and change.escalated):
                    continue
                best = found.get(incident_id)
                if best is None or rank(change.level) > rank(best.level):
                    found[incident_id] = change
        return found

    def save(self) -> None:
        write_json(self.path, {"version": 1, "incidents": self.entries})


def observe_store(
    store: Store, history: LevelHistory, now: datetime, *, lookback: timedelta
) -> list[LevelChange]:
    """Observe every incident seen within ``lookback`` of ``now``."""
    changes: list[LevelChange] = []
    offset = 0
    while True:
        page = store.list_incidents(since=now - lookback, limit=OBSERVE_PAGE, offset=offset)
        changes.extend(history.observe(page, now))
        if len(page) < OBSERVE_PAGE:
            return changes
        offset += OBSERVE_PAGE
