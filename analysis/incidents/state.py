"""What placing documents needs to remember of one incident, persisted as JSON by a store.

A store indexes each state under its ``keys()`` (LSH bands, places and weeks, clues,
its id) and hands back the states under the keys a new document asks for.

A store may keep the members' signatures and bands apart (SQLite: a row per member)
and read a state without them (``fetch`` reads them on first use). Such a state joins
new members without reading its old ones, and writes back only what it gained: the
members it read are not in its ``to_json`` again, nor are its keys (the store kept
them; ``added`` names the new ones). Only taking a report out reads its members.

A report is weighed as a near-duplicate against the members that first brought each
LSH band (or particular) it shares with the incident (``key_members``), not against
every member: a store hands those signatures back with the keys found, so an incident
of 13,000 reports costs a handful of rows. A state stored before the keys named their
members is weighed against all of them, as before.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

CLUE_PREFIX = "c:"
# An incident's vocabulary (what a follow-up is matched against): the distinct bigrams
# of its latest reports, at most this many, so a state stays the same size however long
# the incident runs (a city's years of reports held 32,000 of them).
VOCABULARY = 4000


@dataclass
class IncidentState:
    """What placing a document needs to know of one incident; persisted as JSON by a store."""

    id: str
    founded: tuple[float, str]  # time and id of the founding document: the tie-break
    places: set[str] = field(default_factory=set)
    hotlines: set[str] = field(default_factory=set)
    last_seen: datetime | None = None
    members: dict[str, np.ndarray] = field(default_factory=dict)  # doc id -> signature
    place_keys: set[str] = field(default_factory=set)
    clues: set[str] = field(default_factory=set)
    provinces: set[str] = field(default_factory=set)
    spots: set[str] = field(default_factory=set)  # "county|failure kind" of its members
    hosts: set[str] = field(default_factory=set)  # the sites its members came from
    # Band and clue key -> the member that brought it first (of a state read light: of
    # the keys it was found under and those it gained).
    key_members: dict[str, str] = field(default_factory=dict)
    # Signatures of key members, read with the keys (raw bytes, or base64 from JSON).
    _known: dict[str, str | bytes] = field(default_factory=dict, repr=False, compare=False)
    _stack: np.ndarray | None = field(default=None, repr=False, compare=False)
    # Stored signatures not decoded yet: base64 (JSON) or raw bytes (a store's rows).
    _encoded: dict[str, str | bytes] = field(default_factory=dict, repr=False, compare=False)
    _decoded: bool = field(default=False, repr=False, compare=False)
    # Keys gained since it was read from a store (None: made here, every key is new).
    added: set[str] | None = field(default=None, repr=False, compare=False)
    # The largest parts (growing with the members) are decoded on first use, and the
    # members' signatures and bands read only then (``fetch``): most incidents loaded as
    # candidates are only asked about their place, time, hotline and vocabulary.
    _bigrams: set[str] | dict[str, None] | str = field(
        default_factory=set, repr=False, compare=False
    )
    _band_keys: set[str] | list[str] = field(default_factory=set, repr=False, compare=False)
    fetch: Callable[[], dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    # Members read by ``fetch``: kept by the store, so not written back.
    _stored: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def bigrams(self) -> set[str] | dict[str, None]:
        """Distinctive character bigrams of its latest members: a set below ``VOCABULARY``,
        and once it reaches it, a dict of exactly that many, the least recently seen first
        (a set is faster to intersect, and only a full vocabulary needs an order)."""
        if isinstance(self._bigrams, str):
            words = self._bigrams.split()
            self._bigrams = set(words) if len(words) < VOCABULARY else dict.fromkeys(words)
        return self._bigrams

    def note_bigrams(self, bigrams: frozenset[str] | set[str]) -> None:
        """A member's bigrams are the latest seen; the least recently seen beyond
        ``VOCABULARY`` are forgotten (those seen before it filled up in sorted order), the
        same on every path: a rebuild keeps what an update keeps."""
        vocabulary = self.bigrams
        if isinstance(vocabulary, set):
            vocabulary |= bigrams
            if len(vocabulary) < VOCABULARY:
                return
            vocabulary = self._bigrams = dict.fromkeys(sorted(vocabulary - bigrams))
        for bigram in sorted(bigrams):
            vocabulary.pop(bigram, None)
            vocabulary[bigram] = None
        for stale in list(itertools.islice(vocabulary, max(0, len(vocabulary) - VOCABULARY))):
            del vocabulary[stale]

    def _fetched(self) -> None:
        """Read the members' signatures and bands if they were left out when it was read."""
        if self.fetch is not None:
            heavy, self.fetch = self.fetch(), None
            self._stored = set(heavy["members"]) - set(self.members)
            self._encoded = {
                doc_id: encoded
                for doc_id, encoded in heavy["members"].items()
                if doc_id not in self.members  # joined since it was read
            }
            self.band_keys.update(heavy.get("band_keys", ()))

    @property
    def band_keys(self) -> set[str]:
        """The LSH bands of its members (kept, not recomputed): of every member, unless it
        was read without them (then of those it gained: a store keeping bands as lookup
        keys does not hand them back even when its members are read)."""
        if isinstance(self._band_keys, list):
            self._band_keys = set(self._band_keys)
        return self._band_keys

    def signatures(self) -> dict[str, np.ndarray]:
        """Member signatures, decoded on first use (most loaded candidates never need them)."""
        self._fetched()
        if not self._decoded:  # the stored ones are kept too, to be written back as read
            for doc_id, encoded in self._encoded.items():
                self.members.setdefault(doc_id, _decode(encoded))
            self._decoded = True
        return self.members

    def _signature_rows(self) -> np.ndarray:
        """Every member's signature, a row each; those stored raw (bytes) are read as one
        buffer, not one by one: an incident weighed as a near-duplicate may have thousands."""
        self._fetched()
        raw = [e for e in self._encoded.values() if isinstance(e, bytes)]
        parts = [np.frombuffer(b"".join(raw), dtype="<u4").reshape(len(raw), -1)] if raw else []
        parts += [_decode(e)[None] for e in self._encoded.values() if not isinstance(e, bytes)]
        parts += [s[None] for d, s in self.members.items() if d not in self._encoded]
        return np.concatenate(parts).astype(np.uint64)

    def has_key(self, key: str) -> bool:
        return (
            key in self.band_keys
            or key in self.place_keys
            or key == id_key(self.id)
            or (key.startswith(CLUE_PREFIX) and key[len(CLUE_PREFIX) :] in self.clues)
        )

    def note_keys(self, keys: set[str]) -> None:
        """Keys this incident gained (a store then writes only these)."""
        if self.added is not None:
            self.added |= keys

    def keys(self) -> list[str]:
        """Lookup keys: every LSH band and clue of every member, the places and weeks it covers
        (of a state read without its members: its bands known, see ``band_keys``)."""
        return [*self.band_keys, *self.place_keys, *map(clue_key, self.clues), id_key(self.id)]

    def add_member(self, doc_id: str, signature: np.ndarray) -> None:
        """Remember a member's signature, without reading the others if they were left out;
        the stack of signatures grows by its row rather than being stacked again from
        every member at the next comparison."""
        known = doc_id in self.members or doc_id in self._encoded
        self._encoded.pop(doc_id, None)  # its signature is encoded again when written
        self._stored.discard(doc_id)
        self.members[doc_id] = signature
        if self._stack is not None and not known:
            self._stack = np.vstack([self._stack, signature])
        else:
            self._stack = None

    def best_similarity(self, signature: np.ndarray) -> float:
        if self._stack is None:
            self._stack = self._signature_rows()
        return int(np.count_nonzero(self._stack == signature, axis=1).max()) / len(signature)

    def key_similarity(self, signature: np.ndarray, keys: list[str]) -> float:
        """The best similarity to the members that first brought these keys; to every
        member when one of them names none (a state stored before keys named members)."""
        if not keys or not all(key in self.key_members for key in keys):
            return self.best_similarity(signature)
        best = 0
        for doc_id in sorted({self.key_members[key] for key in keys}):
            row = self._member_signature(doc_id)
            if row is None:  # its row is missing: weighed as before
                return self.best_similarity(signature)
            # Row by row: a handful of rows, where stacking them cost more than comparing.
            best = max(best, int(np.count_nonzero(row == signature)))
        return best / len(signature)

    def _member_signature(self, doc_id: str) -> np.ndarray | None:
        """One member's signature if it is at hand (joined here, or read with a key)."""
        if doc_id in self.members:
            return self.members[doc_id]
        encoded = self._known.get(doc_id) or self._encoded.get(doc_id)
        return None if encoded is None else _decode(encoded)

    def note_key_members(self, keys: list[str], doc_id: str) -> None:
        """A member joined with these band and clue keys: it is the first to bring any new."""
        for key in keys:
            self.key_members.setdefault(key, doc_id)

    def learn(self, other: IncidentState) -> None:
        """What a later read of the same stored state found: the members of the keys it was
        found under (the store's, brought before this run, win over ones noted since)."""
        self.key_members.update(other.key_members)
        self._known.update(other._known)

    def to_json(self) -> dict[str, Any]:
        """The state to store; read without its members, only the members it gained."""
        return {
            "id": self.id,
            "founded": list(self.founded),
            "places": sorted(self.places),
            "hotlines": sorted(self.hotlines),
            "bigrams": self._bigrams  # as read, when not used
            if isinstance(self._bigrams, str)
            else " ".join(  # the least recently seen first, once it is full
                self._bigrams if isinstance(self._bigrams, dict) else sorted(self._bigrams)
            ),
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "members": {  # the members read whole are written back as they were read
                **{d: _text(e) for d, e in self._encoded.items() if d not in self._stored},
                **{
                    doc_id: _text(sig.astype("<u4").tobytes())
                    for doc_id, sig in self.members.items()
                    if doc_id not in self._encoded and doc_id not in self._stored
                },
            },
            "place_keys": sorted(self.place_keys),
            "band_keys": sorted(self._band_keys),
            "clues": sorted(self.clues),
            "provinces": sorted(self.provinces),
            "spots": sorted(self.spots),
            "hosts": sorted(self.hosts),
            "key_members": dict(sorted(self.key_members.items())),
        }

    @classmethod
    def from_json(
        cls, data: dict[str, Any], fetch: Callable[[], dict[str, Any]] | None = None
    ) -> IncidentState:
        """The state as stored; ``fetch`` reads its ``members`` and ``band_keys`` when they
        were left out (on first use)."""
        return cls(
            id=data["id"],
            founded=(float(data["founded"][0]), str(data["founded"][1])),
            places=set(data["places"]),
            hotlines=set(data["hotlines"]),
            _bigrams=data["bigrams"],
            last_seen=datetime.fromisoformat(data["last_seen"]) if data["last_seen"] else None,
            _encoded=data.get("members", {}),  # a fresh dict of its own, decoded on first use
            place_keys=set(data["place_keys"]),
            _band_keys=data.get("band_keys", []),
            added=set(),
            fetch=fetch if "members" not in data else None,
            clues=set(data.get("clues", ())),  # absent in states written before clues
            provinces=set(data.get("provinces", ())),
            spots=set(data.get("spots", ())),
            hosts=set(data.get("hosts", ())),  # absent in states written before hosts
            key_members=dict(data.get("key_members", {})),  # absent: weighed against all
            _known=data.get("key_signatures", {}),
        )


def clue_key(clue: str) -> str:
    return CLUE_PREFIX + clue


def id_key(incident_id: str) -> str:
    return f"i:{incident_id}"


def _decode(encoded: str | bytes) -> np.ndarray:
    """A stored signature: little-endian 32-bit rows, raw or in base64 (JSON)."""
    raw = encoded if isinstance(encoded, bytes) else base64.b64decode(encoded)
    return np.frombuffer(raw, dtype="<u4").astype(np.uint64)


def _text(encoded: str | bytes) -> str:
    return encoded if isinstance(encoded, str) else base64.b64encode(encoded).decode("ascii")
