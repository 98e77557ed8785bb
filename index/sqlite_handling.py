"""The SQLite store's incident handling: the state (``incident_handling``) and its
append-only history (``incident_history``, rows are only ever inserted).

Mixed into ``SQLiteStore``, which provides the connection and transactions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

from index.handling_records import Handling, HistoryEntry

ID_CHUNK = 500
MIGRATION = """
    CREATE TABLE incident_handling (
        incident_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        assignee TEXT,
        state TEXT NOT NULL
    );
    CREATE INDEX incident_handling_status ON incident_handling (status, assignee);
    CREATE TABLE incident_history (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        incident_id TEXT NOT NULL,
        at TEXT NOT NULL,
        entry TEXT NOT NULL
    );
    CREATE INDEX incident_history_incident ON incident_history (incident_id, at)
"""


class HandlingMethods:
    """Incident handling states and their history, for ``SQLiteStore``."""

    db: sqlite3.Connection

    def get_handling(self, incident_ids: Iterable[str]) -> dict[str, Handling]:
        ids = list(dict.fromkeys(incident_ids))
        found: dict[str, Handling] = {}
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            rows = self.db.execute(
                "SELECT state FROM incident_handling "
                f"WHERE incident_id IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            for (state,) in rows:
                handling = Handling.from_json(json.loads(state))
                found[handling.incident_id] = handling
        return found

    def list_handling(
        self, *, statuses: tuple[str, ...] = (), assignee: str | None = None
    ) -> list[Handling]:
        clauses, params = ["1"], []
        if statuses:
            clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        if assignee is not None:
            clauses.append("assignee = ?")
            params.append(assignee)
        rows = self.db.execute(
            f"SELECT state FROM incident_handling WHERE {' AND '.join(clauses)} "
            "ORDER BY incident_id",
            params,
        )
        return [Handling.from_json(json.loads(state)) for (state,) in rows]

    def write_handling(
        self, states: Iterable[Handling], history: Iterable[HistoryEntry] = ()
    ) -> None:
        """Write states and append history entries in one transaction (an entry already
        stored, by id, is kept as it was)."""
        with self._transaction():  # type: ignore[attr-defined]
            self.db.executemany(
                "INSERT OR REPLACE INTO incident_handling VALUES (?, ?, ?, ?)",
                [
                    (
                        s.incident_id,
                        s.status,
                        s.assignee,
                        json.dumps(s.to_json(), ensure_ascii=False),
                    )
                    for s in states
                ],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO incident_history (id, incident_id, at, entry) "
                "VALUES (?, ?, ?, ?)",
                [
                    (
                        e.id,
                        e.incident_id,
                        e.at.isoformat(),
                        json.dumps(e.to_json(), ensure_ascii=False),
                    )
                    for e in history
                ],
            )

    def iter_history(self, incident_id: str | None = None) -> Iterator[HistoryEntry]:
        """History entries, oldest first: of one incident, or of all."""
        where, params = ("WHERE incident_id = ?", (incident_id,)) if incident_id else ("", ())
        rows = self.db.execute(
            f"SELECT entry FROM incident_history {where} ORDER BY at, rowid", params
        ).fetchall()
        for (entry,) in rows:
            yield HistoryEntry.from_json(json.loads(entry))
