"""The SQLite store's incidents: records (``incidents``) and placement states
(``incident_states`` with their lookup keys in ``incident_keys``, and their members'
signatures as rows of ``incident_members``: a state's JSON stays the size of its
places and vocabulary however many reports it has, and a state read light is what is
stored; its members and bands, the ``b*`` keys, are read only when asked for).

Mixed into ``SQLiteStore``, which provides the connection and transactions.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from analysis.risk import LEVELS
from index.errors import IncidentNotFound
from index.records import IncidentRecord

KEY_CHUNK = 500
BANDS = "key >= 'b' AND key < 'c'"  # the LSH band keys (``b<band>:<hash>``)
ROWS = "member_rows"  # in a stored state: its members are rows (meta states have none)


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
            rows = self.db.execute(
                f"SELECT id, state FROM incident_states WHERE id IN ({marks})", chunk
            ).fetchall()
            states = {i: json.loads(state) for i, state in rows}
            with_rows = [i for i, state in states.items() if state.pop(ROWS, False)]
            heavy = self._members_of(with_rows, raw=False) if with_rows and not light else {}
            found += [({**state, **heavy.get(i, {})}, matched[i]) for i, state in states.items()]
        return found

    def incident_state_members(self, incident_id: str) -> dict[str, Any]:
        if not self.db.execute(
            "SELECT 1 FROM incident_states WHERE id = ?", (incident_id,)
        ).fetchone():
            raise IncidentNotFound(f"no placement state of incident {incident_id!r}")
        # No bands: they stay lookup keys here, and a state read light writes back only
        # the keys it gained (``added``); reading them cost four times the signatures.
        members = self._members_of([incident_id], raw=True, bands=False).get(incident_id)
        return members or {"members": {}}

    def _members_of(
        self, incident_ids: list[str], *, raw: bool, bands: bool = True
    ) -> dict[str, dict[str, Any]]:
        """``members`` (doc id -> signature: the stored bytes if ``raw``, else base64 as
        in a whole state's JSON) and ``band_keys`` (sorted) of the incidents with members."""
        marks = ", ".join("?" for _ in incident_ids)
        found: dict[str, dict[str, Any]] = {}
        for incident_id, doc_id, signature in self.db.execute(
            "SELECT incident_id, doc_id, signature FROM incident_members "
            f"WHERE incident_id IN ({marks})",
            incident_ids,
        ):
            members = found.setdefault(incident_id, {"members": {}, "band_keys": []})["members"]
            members[doc_id] = signature if raw else _base64(signature)
        if not bands:
            return {i: {"members": heavy["members"]} for i, heavy in found.items()}
        for incident_id, key in self.db.execute(
            f"SELECT incident_id, key FROM incident_keys WHERE incident_id IN ({marks}) "
            f"AND {BANDS} ORDER BY incident_id, key",
            incident_ids,
        ):
            if incident_id in found:
                found[incident_id]["band_keys"].append(key)
        return found

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
        An id in ``added`` only gains those keys and the ``members`` its state names: its
        stored ones are not compared. A state's members go to their own rows."""
        added = added or {}
        with self._transaction():
            for incident_id, value in states.items():
                keys, state = value if value is not None else ([], None)
                grows = state is not None and incident_id in added
                if grows:
                    self.db.executemany(
                        "INSERT OR IGNORE INTO incident_keys (key, incident_id) VALUES (?, ?)",
                        [(k, incident_id) for k in added[incident_id]],
                    )
                else:
                    self._replace_keys(incident_id, set(keys))
                if state is None:
                    self.db.execute("DELETE FROM incident_states WHERE id = ?", (incident_id,))
                    self._delete_members(incident_id)
                    continue
                light = {k: v for k, v in state.items() if k not in ("members", "band_keys")}
                if "members" in state:
                    light[ROWS] = True
                    if not grows:
                        self._delete_members(incident_id)
                    self.db.executemany(
                        "INSERT OR REPLACE INTO incident_members (incident_id, doc_id, signature) "
                        "VALUES (?, ?, ?)",
                        [(incident_id, d, _raw(s)) for d, s in state["members"].items()],
                    )
                self.db.execute(
                    "INSERT OR REPLACE INTO incident_states (id, state) VALUES (?, ?)",
                    (incident_id, json.dumps(light, ensure_ascii=False)),
                )

    def _delete_members(self, incident_id: str) -> None:
        self.db.execute("DELETE FROM incident_members WHERE incident_id = ?", (incident_id,))

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
            self.db.execute("DELETE FROM incident_members")
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


def _raw(signature: str | bytes) -> bytes:
    """A member's signature as stored: raw little-endian bytes (base64 in a state's JSON)."""
    return signature if isinstance(signature, bytes) else base64.b64decode(signature)


def _base64(signature: str | bytes) -> str:
    return signature if isinstance(signature, str) else base64.b64encode(signature).decode("ascii")
