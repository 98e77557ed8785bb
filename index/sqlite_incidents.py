"""The SQLite store's incidents: records (``incidents``) and placement states
(``incident_states`` with their lookup keys in ``incident_keys``, and their members'
signatures as rows of ``incident_members``: a state's JSON stays the size of its
places and vocabulary however many reports it has, and a state read light is what is
stored; its members and bands, the ``b*`` keys, are read only when asked for). A band
or clue key names the member that first brought it (schema 13), and a state found
under it comes with that member's signature: what weighing a near-duplicate reads.

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
MEMBER_JOIN = (
    "LEFT JOIN incident_members AS m ON m.incident_id = k.incident_id AND m.doc_id = k.member"
)
APART = ("members", "band_keys", "key_members", "key_signatures")  # rows, not JSON


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
        key_members: dict[str, dict[str, str]] = {}
        signatures: dict[str, dict[str, bytes]] = {}
        for incident_id, key, member, signature in self._key_matches(
            list(dict.fromkeys(keys)), limits or {}
        ):
            matched.setdefault(incident_id, []).append(key)
            if member is not None:
                key_members.setdefault(incident_id, {})[key] = member
                if signature is not None:
                    signatures.setdefault(incident_id, {})[member] = signature
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
            for i, state in states.items():
                state.update(heavy.get(i, {}))
                if light and i in key_members:  # a whole state names all its members
                    state["key_members"] = key_members[i]
                    state["key_signatures"] = signatures.get(i, {})
                found.append((state, matched[i]))
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

    def _key_matches(
        self, keys: list[str], limits: Mapping[str, int]
    ) -> Iterator[tuple[str, str, str | None, bytes | None]]:
        """(incident id, key, the member that brought it, that member's signature) for each
        incident indexed under each key (a limited key: at most its limit of them)."""
        for key in keys:
            if key in limits:
                for incident_id, member, signature in self.db.execute(
                    f"SELECT k.incident_id, k.member, m.signature FROM incident_keys AS k "
                    f"{MEMBER_JOIN} WHERE k.key = ? LIMIT ?",
                    (key, limits[key]),
                ):
                    yield incident_id, key, member, signature
        rest = [key for key in keys if key not in limits]
        for start in range(0, len(rest), KEY_CHUNK):
            chunk = rest[start : start + KEY_CHUNK]
            yield from self.db.execute(
                "SELECT k.incident_id, k.key, k.member, m.signature FROM incident_keys AS k "
                f"{MEMBER_JOIN} WHERE k.key IN ({', '.join('?' for _ in chunk)})",
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
                members = state.get("key_members", {}) if state is not None else {}
                if grows:  # a key stored already keeps the member that brought it first
                    self.db.executemany(
                        "INSERT OR IGNORE INTO incident_keys (key, incident_id, member) "
                        "VALUES (?, ?, ?)",
                        [(k, incident_id, members.get(k)) for k in added[incident_id]],
                    )
                else:
                    self._replace_keys(incident_id, {k: members.get(k) for k in keys})
                if state is None:
                    self.db.execute("DELETE FROM incident_states WHERE id = ?", (incident_id,))
                    self._delete_members(incident_id)
                    continue
                light = {k: v for k, v in state.items() if k not in APART}
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

    def _replace_keys(self, incident_id: str, new: dict[str, str | None]) -> None:
        """Make the incident's keys exactly these (key -> the member that brought it)."""
        old = dict(
            self.db.execute(
                "SELECT key, member FROM incident_keys WHERE incident_id = ?", (incident_id,)
            ).fetchall()
        )
        self.db.executemany(
            "DELETE FROM incident_keys WHERE key = ? AND incident_id = ?",
            [(k, incident_id) for k in old.keys() - new.keys()],
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO incident_keys (key, incident_id, member) VALUES (?, ?, ?)",
            [(k, incident_id, m) for k, m in new.items() if k not in old or old[k] != m],
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
