"""The SQLite store's incidents: records (``incidents``) and placement states
(``incident_states`` with their lookup keys in ``incident_keys``).

Mixed into ``SQLiteStore``, which provides the connection and transactions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from analysis.risk import LEVELS
from index.errors import IncidentNotFound
from index.records import IncidentRecord

KEY_CHUNK = 500
# A state without its members' signatures and bands (cut out by SQLite's JSON, in C).
LIGHT_STATE = "json_remove(state, '$.members', '$.band_keys')"


class IncidentMethods:
    """Incident records and placement states, for ``SQLiteStore``."""

    db: sqlite3.Connection

    def replace_incidents(self, records: Iterable[IncidentRecord]) -> None:
        """Make the stored incidents exactly these (one transaction)."""
        rows = [_incident_row(r) for r in records]
        with self._transaction():
            self.db.execute("DELETE FROM incidents")
            self.db.executemany("INSERT INTO incidents VALUES (?, ?, ?, ?, ?)", rows)

    def put_incidents(
        self, records: Iterable[IncidentRecord], *, delete: Iterable[str] = ()
    ) -> None:
        """Write these incident records (replacing any with the same id) and delete others."""
        with self._transaction():
            self.db.executemany("DELETE FROM incidents WHERE id = ?", [(i,) for i in delete])
            self.db.executemany(
                "INSERT OR REPLACE INTO incidents VALUES (?, ?, ?, ?, ?)",
                [_incident_row(r) for r in records],
            )

    def incident_states(
        self,
        keys: Iterable[str],
        *,
        limits: Mapping[str, int] | None = None,
        light: bool = False,
    ) -> list[tuple[dict[str, Any], list[str]]]:
        matched: dict[str, list[str]] = {}
        for incident_id, key in self._key_matches(list(dict.fromkeys(keys)), limits or {}):
            matched.setdefault(incident_id, []).append(key)
        ids = list(matched)
        found: list[tuple[dict[str, Any], list[str]]] = []
        for start in range(0, len(ids), KEY_CHUNK):
            chunk = ids[start : start + KEY_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            state = LIGHT_STATE if light else "state"
            rows = self.db.execute(
                f"SELECT id, {state} FROM incident_states WHERE id IN ({marks})", chunk
            )
            found += [(json.loads(state), matched[i]) for i, state in rows]
        return found

    def incident_state_members(self, incident_id: str) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT json_extract(state, '$.members'), json_extract(state, '$.band_keys') "
            "FROM incident_states WHERE id = ?",
            (incident_id,),
        ).fetchone()
        if row is None:
            raise IncidentNotFound(f"no placement state of incident {incident_id!r}")
        return {"members": json.loads(row[0]), "band_keys": json.loads(row[1])}

    def _key_matches(self, keys: list[str], limits: Mapping[str, int]) -> Iterator[tuple[str, str]]:
        """(incident id, key) for each incident indexed under each key (a limited key: at
        most its limit of them)."""
        for key in keys:
            if key in limits:
                for (incident_id,) in self.db.execute(
                    "SELECT incident_id FROM incident_keys WHERE key = ? LIMIT ?",
                    (key, limits[key]),
                ):
                    yield incident_id, key
        rest = [key for key in keys if key not in limits]
        for start in range(0, len(rest), KEY_CHUNK):
            chunk = rest[start : start + KEY_CHUNK]
            yield from self.db.execute(
                "SELECT incident_id, key FROM incident_keys "
                f"WHERE key IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )

    def write_incident_states(
        self,
        states: Mapping[str, tuple[list[str], dict[str, Any]] | None],
        *,
        added: Mapping[str, list[str]] | None = None,
    ) -> None:
        """Write (lookup keys, state) per incident id; None deletes. One transaction.
        An id in ``added`` only gains those keys: its stored ones are not compared."""
        added = added or {}
        with self._transaction():
            for incident_id, value in states.items():
                keys, state = value if value is not None else ([], None)
                if state is not None and incident_id in added:
                    self.db.executemany(
                        "INSERT OR IGNORE INTO incident_keys (key, incident_id) VALUES (?, ?)",
                        [(k, incident_id) for k in added[incident_id]],
                    )
                else:
                    self._replace_keys(incident_id, set(keys))
                if state is None:
                    self.db.execute("DELETE FROM incident_states WHERE id = ?", (incident_id,))
                else:
                    self.db.execute(
                        "INSERT OR REPLACE INTO incident_states (id, state) VALUES (?, ?)",
                        (incident_id, json.dumps(state, ensure_ascii=False)),
                    )

    def _replace_keys(self, incident_id: str, new: set[str]) -> None:
        old = {
            r[0]
            for r in self.db.execute(
                "SELECT key FROM incident_keys WHERE incident_id = ?", (incident_id,)
            )
        }
        self.db.executemany(
            "DELETE FROM incident_keys WHERE key = ? AND incident_id = ?",
            [(k, incident_id) for k in old - new],
        )
        self.db.executemany(
            "INSERT INTO incident_keys (key, incident_id) VALUES (?, ?)",
            [(k, incident_id) for k in new - old],
        )

    def clear_incident_states(self) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM incident_keys")
            self.db.execute("DELETE FROM incident_states")

    def get_incident(self, incident_id: str) -> IncidentRecord:
        row = self.db.execute(
            "SELECT record FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        if row is None:
            raise IncidentNotFound(f"no incident with id {incident_id!r}")
        return IncidentRecord.from_json(json.loads(row[0]))

    def list_incidents(
        self,
        *,
        levels: tuple[str, ...] = (),
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[IncidentRecord]:
        """Incidents by risk (level, then score), then most recently seen."""
        clauses, params = ["1"], []
        if levels:
            clauses.append(f"level_rank IN ({', '.join('?' for _ in levels)})")
            params.extend(LEVELS.index(level) for level in levels)
        if since is not None:
            clauses.append("last_seen_ts >= ?")
            params.append(int(_aware(since).timestamp()))
        rows = self.db.execute(
            f"SELECT record FROM incidents WHERE {' AND '.join(clauses)} "
            "ORDER BY level_rank DESC, score DESC, last_seen_ts DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [IncidentRecord.from_json(json.loads(row[0])) for row in rows]


def _incident_row(record: IncidentRecord) -> tuple[Any, ...]:
    return (
        record.id,
        LEVELS.index(record.level),
        record.score,
        int(_aware(record.last_seen).timestamp()),
        json.dumps(record.to_json(), ensure_ascii=False),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
