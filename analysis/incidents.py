"""Group documents about one real-world event into incidents, incrementally.

Two routes lead a document into an existing incident:

1. near-duplicates (reposts, content-farm copies with junk added): MinHash of
   character shingles, bucketed by LSH bands, so each document is compared only
   with the few that share a band (near-linear in the number of documents);
2. rewrites and excerpts from other outlets: two or more of the report's
   particulars (figures, quoted words, villages: ``incident_clues``) already in the
   incident, within the time window, in the same province (three, anywhere);
3. follow-ups and official responses: the same place and hotline within a time
   window, with a tenth of the document's distinctive character bigrams already in
   the incident (same-event pairs share 12-21% on the sample site, different
   events 2-6%); half that when the report names the same county and the same
   failure kind within a week of the incident's last report.

An incident's id comes from its founding document, so replaying the same
documents in the same order always yields the same ids.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np

from analysis.incident_clues import clues as report_clues

SHINGLE = 4
PERMUTATIONS, BANDS = 32, 8
ROWS = PERMUTATIONS // BANDS
NEAR_DUPLICATE = 0.5
FOLLOW_UP_OVERLAP = 0.1
SHARED_CLUES, SHARED_CLUES_ANYWHERE = 2, 3
SAME_SPOT_OVERLAP, SAME_SPOT_WINDOW = FOLLOW_UP_OVERLAP / 2, timedelta(days=7)
WINDOW = timedelta(days=45)
SALIENT_CHARS = 600
NOWHERE = "*"
CLUE_PREFIX = "c:"
# Universal hashing (a*x + b) mod p with a, b and x all below p = 2^31 - 1: the product
# fits in 64 bits and wraps around p billions of times, so each permutation really
# reorders the shingles. (A 61-bit p with 31-bit a barely wrapped: the minimum was
# nearly always the shingle with the smallest CRC, merging unrelated reports.)
_PRIME = np.uint64((1 << 31) - 1)
_RNG = np.random.default_rng(20210425)
_A = _RNG.integers(1, (1 << 31) - 1, PERMUTATIONS, dtype=np.uint64)
_B = _RNG.integers(0, (1 << 31) - 1, PERMUTATIONS, dtype=np.uint64)
_CJK = re.compile(r"[\u4e00-\u9fff0-9]+")
COMMON_BIGRAMS = frozenset(
    "热线 市民 工作 反映 记者 问题 人员 相关 表示 部门 情况 服务 电话 投诉 进行 没有 "
    "已经 目前 我们 他们 这个 一个 时间 处理 要求 群众 社会 政府 单位 有关 近日 发现 "
    "接线 线员 12 23 34 45 今年 日前 可以 就是 自己 因为 所以 但是 如果 通过".split()
)


@dataclass
class IncidentFeatures:
    doc_id: str
    title: str
    text: str
    published_at: datetime | None = None
    regions: list[dict[str, str]] = field(default_factory=list)
    hotlines: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    url: str | None = None
    parent_url: str | None = None  # the document a repost shares: it joins that incident


@dataclass(frozen=True)
class Fingerprint:
    """What placing a document needs from its text; cacheable by content."""

    signature: np.ndarray
    bigrams: frozenset[str]
    clues: frozenset[str] = frozenset()


def fingerprint(doc: IncidentFeatures) -> Fingerprint:
    return Fingerprint(
        minhash(doc.title + doc.text), frozenset(_salient(doc)), report_clues(doc.title, doc.text)
    )


def _salient(doc: IncidentFeatures) -> set[str]:
    return salient_bigrams(doc.title + " " + doc.text[:SALIENT_CHARS])


class IncidentSource(Protocol):
    """Where incidents placed in earlier runs are kept (a store); see ``index.incidents``."""

    def states(self, keys: list[str]) -> list[IncidentState]:
        """The incidents indexed under any of these keys."""
        ...

    def incident_of(self, url: str) -> str | None:
        """The incident of the stored document with this URL."""
        ...


@dataclass
class IncidentState:
    """What placing a document needs to know of one incident; persisted as JSON by a store."""

    id: str
    founded: tuple[float, str]  # time and id of the founding document: the tie-break
    places: set[str] = field(default_factory=set)
    hotlines: set[str] = field(default_factory=set)
    bigrams: set[str] = field(default_factory=set)
    last_seen: datetime | None = None
    members: dict[str, np.ndarray] = field(default_factory=dict)  # doc id -> signature
    place_keys: set[str] = field(default_factory=set)
    band_keys: set[str] = field(default_factory=set)  # of every member (kept, not recomputed)
    clues: set[str] = field(default_factory=set)
    provinces: set[str] = field(default_factory=set)
    spots: set[str] = field(default_factory=set)  # "county|failure kind" of its members
    _stack: np.ndarray | None = field(default=None, repr=False, compare=False)
    _encoded: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def signatures(self) -> dict[str, np.ndarray]:
        """Member signatures, decoded on first use (most loaded candidates never need them)."""
        if self._encoded:
            for doc_id, encoded in self._encoded.items():
                raw = np.frombuffer(base64.b64decode(encoded), dtype="<u4")
                self.members.setdefault(doc_id, raw.astype(np.uint64))
            self._encoded = {}
        return self.members

    def has_key(self, key: str) -> bool:
        return (
            key in self.band_keys
            or key in self.place_keys
            or key == _id_key(self.id)
            or (key.startswith(CLUE_PREFIX) and key[len(CLUE_PREFIX) :] in self.clues)
        )

    def keys(self) -> list[str]:
        """Lookup keys: every LSH band and clue of every member, the places and weeks it covers."""
        return [*self.band_keys, *self.place_keys, *map(_clue_key, self.clues), _id_key(self.id)]

    def best_similarity(self, signature: np.ndarray) -> float:
        if self._stack is None:
            self._stack = np.stack(list(self.signatures().values()))
        return float(np.max(np.mean(self._stack == signature, axis=1)))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "founded": list(self.founded),
            "places": sorted(self.places),
            "hotlines": sorted(self.hotlines),
            "bigrams": " ".join(self.bigrams),  # a set: any order
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "members": {  # the members never decoded are written as they were read
                **self._encoded,
                **{
                    doc_id: base64.b64encode(sig.astype("<u4").tobytes()).decode("ascii")
                    for doc_id, sig in self.members.items()
                },
            },
            "place_keys": sorted(self.place_keys),
            "band_keys": sorted(self.band_keys),
            "clues": sorted(self.clues),
            "provinces": sorted(self.provinces),
            "spots": sorted(self.spots),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncidentState:
        return cls(
            id=data["id"],
            founded=(float(data["founded"][0]), str(data["founded"][1])),
            places=set(data["places"]),
            hotlines=set(data["hotlines"]),
            bigrams=set(data["bigrams"].split()),
            last_seen=datetime.fromisoformat(data["last_seen"]) if data["last_seen"] else None,
            _encoded=dict(data["members"]),
            place_keys=set(data["place_keys"]),
            band_keys=set(data["band_keys"]),
            clues=set(data.get("clues", ())),  # absent in states written before clues
            provinces=set(data.get("provinces", ())),
            spots=set(data.get("spots", ())),
        )


class IncidentIndex:
    """Incidents seen so far; ``add`` places one more document.

    With a ``source`` the index starts empty and loads, before placing each document,
    only the incidents that document could join (sharing an LSH band, or its place
    within the time window): the work is that of the candidates, not of the store.
    ``touched`` names the incidents changed since, to be written back.
    """

    def __init__(self, source: IncidentSource | None = None) -> None:
        self.source = source
        self.incidents: dict[str, IncidentState] = {}
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_url: dict[str, str] = {}
        self.touched: set[str] = set()
        self._asked: set[str] = set()

    def incident_of(self, url: str | None) -> str | None:
        """The incident a placed document (by url) belongs to."""
        if not url:
            return None
        if url in self.by_url or self.source is None:
            return self.by_url.get(url)
        return self.source.incident_of(url)

    def add(self, doc: IncidentFeatures, prints: Fingerprint | None = None) -> str:
        prints = prints or fingerprint(doc)
        signature, bigrams = prints.signature, set(prints.bigrams)
        places = _places(doc.regions)
        bands = band_keys(signature)
        nearby = _nearby_keys(places - {NOWHERE}, doc.published_at)
        clue_keys = sorted(map(_clue_key, prints.clues))
        self._load(bands + nearby + clue_keys)
        parent = self.incident_of(doc.parent_url)
        if parent and parent not in self.incidents and self.source is not None:
            self._load([], ids=[parent])
        incident = (
            self.incidents.get(parent)
            if parent
            else self._near_duplicate(signature, bands + clue_keys)
            or self._shared_clues(doc, prints.clues, clue_keys)
            or self._follow_up(doc, bigrams, nearby)
        )
        if incident is None:
            incident = IncidentState(_incident_id(doc.doc_id), (_sort_time(doc), doc.doc_id))
            self.incidents[incident.id] = incident
        self._join(incident, doc, prints, places)
        if doc.url:
            self.by_url[doc.url] = incident.id
        return incident.id

    def remove(self, incident_id: str, doc_id: str, rest: Sequence[IncidentFeatures]) -> None:
        """Take a document out of its incident, which is rebuilt from the ``rest`` of its members.

        An incident left empty is dropped (it is still ``touched``, so a store deletes it).
        """
        self._load([], ids=[incident_id])
        old = self.incidents.pop(incident_id, None)
        self.touched.add(incident_id)
        if old is None:
            return
        for ids in self.by_key.values():
            ids.discard(incident_id)
        rest = [d for d in rest if d.doc_id != doc_id]
        if not rest:
            return
        rebuilt = IncidentState(incident_id, old.founded)
        self.incidents[incident_id] = rebuilt
        for member in sorted(rest, key=lambda d: (_sort_time(d), d.doc_id)):
            known = old.signatures().get(member.doc_id)
            prints = (
                Fingerprint(
                    known, frozenset(_salient(member)), report_clues(member.title, member.text)
                )
                if known is not None
                else fingerprint(member)
            )
            self._join(rebuilt, member, prints, _places(member.regions))
        rebuilt.founded = min((_sort_time(d), d.doc_id) for d in rest)

    def _load(self, keys: list[str], ids: Sequence[str] = ()) -> None:
        if self.source is None:
            return
        wanted = [key for key in keys if key not in self._asked]
        self._asked.update(wanted)
        states = self.source.states(wanted) if wanted else []
        if ids:
            states += self.source.states([_id_key(i) for i in ids if i not in self.incidents])
        for state in states:
            if state.id in self.touched and state.id not in self.incidents:
                continue  # taken apart in this run
            current = self.incidents.setdefault(state.id, state)  # the copy in memory is newer
            # Indexed under the keys asked now: a key asked before found it then, if it had it.
            for key in wanted:
                if current.has_key(key):
                    self.by_key[key].add(current.id)

    def _near_duplicate(self, signature: np.ndarray, keys: list[str]) -> IncidentState | None:
        """The most similar incident sharing a band, a clue or a place (ties: the earliest founded).

        Bands find most copies; the clues and places catch those whose bands all differ by chance.
        """
        best, best_rank = None, None
        for incident_id in {i for key in keys for i in self.by_key.get(key, ())}:
            incident = self.incidents[incident_id]
            score = incident.best_similarity(signature)
            if score < NEAR_DUPLICATE:
                continue
            rank = (-score, incident.founded)
            if best_rank is None or rank < best_rank:
                best, best_rank = incident, rank
        return best

    def _shared_clues(
        self, doc: IncidentFeatures, clues: frozenset[str], keys: list[str]
    ) -> IncidentState | None:
        """The incident sharing most of the report's particulars, if it shares enough."""
        best, best_rank = None, None
        provinces = _provinces(doc.regions)
        for incident_id in {i for key in keys for i in self.by_key.get(key, ())}:
            incident = self.incidents[incident_id]
            if not _within_window(doc.published_at, incident.last_seen):
                continue
            shared = len(clues & incident.clues)
            elsewhere = provinces and incident.provinces and not provinces & incident.provinces
            if shared < (SHARED_CLUES_ANYWHERE if elsewhere else SHARED_CLUES):
                continue
            rank = (-shared, incident.founded)
            if best_rank is None or rank < best_rank:
                best, best_rank = incident, rank
        return best

    def _follow_up(
        self, doc: IncidentFeatures, bigrams: set[str], nearby: list[str]
    ) -> IncidentState | None:
        best, best_margin = None, 0.0
        candidates = {i for key in nearby for i in self.by_key.get(key, ())}
        spot = _spot(doc)
        for incident_id in sorted(candidates):
            incident = self.incidents[incident_id]
            if not _within_window(doc.published_at, incident.last_seen):
                continue
            if doc.hotlines and incident.hotlines and not set(doc.hotlines) & incident.hotlines:
                continue
            needed = FOLLOW_UP_OVERLAP
            if spot in incident.spots and _within_window(
                doc.published_at, incident.last_seen, SAME_SPOT_WINDOW, undated=False
            ):
                needed = SAME_SPOT_OVERLAP
            margin = _overlap(bigrams, incident.bigrams) / needed
            if margin >= 1 and margin >= best_margin:
                best, best_margin = incident, margin
        return best

    def _join(
        self, incident: IncidentState, doc: IncidentFeatures, prints: Fingerprint, places: set[str]
    ) -> None:
        signature = prints.signature
        incident.members[doc.doc_id] = signature
        incident._stack = None
        week = _week(doc.published_at) if doc.published_at else None
        place_keys = {
            key
            for place in places - {NOWHERE}
            for key in (_any_time_key(place), _place_key(place, week))
        }
        bands = band_keys(signature)
        incident.place_keys |= place_keys
        incident.band_keys.update(bands)
        clue_keys = map(_clue_key, prints.clues)
        for key in {*bands, *place_keys, *clue_keys, _id_key(incident.id)}:
            self.by_key[key].add(incident.id)
        incident.places |= places
        incident.provinces |= _provinces(doc.regions)
        if spot := _spot(doc):
            incident.spots.add(spot)
        incident.hotlines |= set(doc.hotlines)
        incident.bigrams |= prints.bigrams
        incident.clues |= prints.clues
        if doc.published_at and (
            incident.last_seen is None or doc.published_at > incident.last_seen
        ):
            incident.last_seen = doc.published_at
        self.touched.add(incident.id)


def assign_incidents(docs: Sequence[IncidentFeatures]) -> list[str | None]:
    """Incident ids for documents analysed together (None when not about a hotline failure).

    Documents are placed oldest first, so the founding report names the incident.
    """
    index = IncidentIndex()
    ids: list[str | None] = [None] * len(docs)
    order = sorted(range(len(docs)), key=lambda i: (_sort_time(docs[i]), i))
    for i in order:
        if docs[i].hotlines or docs[i].categories or index.incident_of(docs[i].parent_url):
            ids[i] = index.add(docs[i])
    return ids


def shingles(text: str) -> set[str]:
    """Overlapping runs of SHINGLE characters of the text's Chinese characters and digits."""
    compact = "".join(_CJK.findall(text)) or text
    return {compact[i : i + SHINGLE] for i in range(max(1, len(compact) - SHINGLE + 1))}


def minhash(text: str) -> np.ndarray:
    """A MinHash signature of the text's character shingles (stable across runs)."""
    shingles_ = shingles(text)
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in shingles_), dtype=np.uint64, count=len(shingles_)
    )
    products = (np.outer(hashes % _PRIME, _A) + _B) % _PRIME
    return products.min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def salient_bigrams(text: str) -> set[str]:
    runs = _CJK.findall(text)
    # Interned: an index of 100k documents holds millions of bigrams but few distinct ones.
    return {sys.intern(r[i : i + 2]) for r in runs for i in range(len(r) - 1)} - COMMON_BIGRAMS


def band_keys(signature: np.ndarray) -> list[str]:
    """LSH band keys of a signature: documents sharing one are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        keys.append(f"b{band}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys


def _place_key(place: str, week: int | None) -> str:
    return f"p:{place}:{'-' if week is None else week}"


def _clue_key(clue: str) -> str:
    return CLUE_PREFIX + clue


def _any_time_key(place: str) -> str:
    return f"p:{place}"


def _id_key(incident_id: str) -> str:
    return f"i:{incident_id}"


def _nearby_keys(places: set[str], moment: datetime | None) -> list[str]:
    """Keys of incidents a follow-up could join: its places, weeks within the window or undated.

    An undated document may join any incident of its places.
    """
    if moment is None:
        return sorted(_any_time_key(place) for place in places)
    weeks = range(_week(moment - WINDOW), _week(moment + WINDOW) + 1)
    return sorted(_place_key(place, week) for place in places for week in (*weeks, None))


def _places(regions: list[dict[str, str]]) -> set[str]:
    if not regions:
        return {NOWHERE}
    best = regions[0]
    return {best.get("city") or best.get("province") or NOWHERE}


def _provinces(regions: list[dict[str, str]]) -> set[str]:
    return {regions[0]["province"]} if regions and regions[0].get("province") else set()


def _spot(doc: IncidentFeatures) -> str | None:
    """"county|failure kind"; a city is too big (many reports of one kind in a week)."""
    if not doc.regions or not doc.categories or not doc.regions[0].get("county"):
        return None
    return f"{doc.regions[0]['county']}|{doc.categories[0]}"


def _week(moment: datetime) -> int:
    return int(moment.timestamp() // 604_800)


def _within_window(
    moment: datetime | None,
    last_seen: datetime | None,
    window: timedelta = WINDOW,
    *,
    undated: bool = True,
) -> bool:
    if moment is None or last_seen is None:
        return undated
    return abs(moment - last_seen) <= window


def _overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller set found in the larger: an incident's vocabulary only grows."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _incident_id(doc_id: str) -> str:
    return "inc-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:10]


def _sort_time(doc: IncidentFeatures) -> float:
    return doc.published_at.timestamp() if doc.published_at else float("inf")
