"""Group documents about one real-world event into incidents, incrementally.

Two routes lead a document into an existing incident:

1. near-duplicates (reposts, content-farm copies with junk added): MinHash of
   character shingles, bucketed by LSH bands, so each document is compared only
   with the few that share a band (near-linear in the number of documents);
2. rewrites and excerpts from other outlets: two or more of the report's
   particulars (figures, quoted words, villages: ``clues``) already in the
   incident, within the time window, in the same province (three, anywhere);
3. follow-ups and official responses: the same place and hotline within a time
   window, with a tenth of the document's distinctive character bigrams already in
   the incident (same-event pairs share 12-21% on the sample site, different
   events 2-6%); half that when the report names the same county and the same
   failure kind within a week of the incident's last report.

A document judged relevant that joins none founds an incident. One not judged
relevant but close to it (``IncidentFeatures.joins``) may join by the first two
routes, or all three, and is then relevant through the event; it never founds one.

An incident's id comes from its founding document, so replaying the same
documents in the same order always yields the same ids.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

import numpy as np

from analysis.incidents.features import (
    COPY,
    FOLLOW_UP,
    Fingerprint,
    IncidentFeatures,
    fingerprint,
)
from analysis.incidents.minhash import band_keys
from analysis.incidents.places import (
    NOWHERE,
    any_time_key,
    nearby_keys,
    place_key,
    places_of,
    provinces_of,
    spot_of,
    week_of,
    within_window,
)
from analysis.incidents.state import CLUE_PREFIX, IncidentState, clue_key, id_key

NEAR_DUPLICATE = 0.5
# A band shared by more incidents than this is boilerplate (a site's footer, a stock
# phrase), not a sign of a copy: it names no candidates, and a store hands out no more
# than one over this many incidents for it, however many share it.
COMMON_BAND = 100
FOLLOW_UP_OVERLAP = 0.1
SHARED_CLUES, SHARED_CLUES_ANYWHERE = 2, 3
SAME_SPOT_OVERLAP, SAME_SPOT_WINDOW = FOLLOW_UP_OVERLAP / 2, timedelta(days=7)


class IncidentSource(Protocol):
    """Where incidents placed in earlier runs are kept (a store); see ``index.incidents``."""

    def states(
        self, keys: list[str], *, limits: Mapping[str, int] | None = None
    ) -> list[tuple[IncidentState, list[str]]]:
        """The incidents indexed under any of these keys (at most ``limits[key]`` for a key
        limited), each with the keys it has."""
        ...

    def incident_of(self, url: str) -> str | None:
        """The incident of the stored document with this URL."""
        ...


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

    def prefetch(self, docs: Sequence[tuple[IncidentFeatures, Fingerprint]]) -> None:
        """Load the candidates of documents about to be ``add``ed in one call to the source
        (a request to Elasticsearch, not one per document). The store does not change until
        the placed ones are written back, so its answers are the same now as later."""
        keys: list[str] = []
        limits: dict[str, int] = {}
        for doc, prints in docs:
            bands, others = self._lookup_keys(doc, prints)
            keys += bands + others
            limits.update(dict.fromkeys(bands, COMMON_BAND + 1))
        self._load(list(dict.fromkeys(keys)), limits=limits)

    def _lookup_keys(
        self, doc: IncidentFeatures, prints: Fingerprint
    ) -> tuple[list[str], list[str]]:
        """The keys of the incidents a document could join: its bands, then its places
        nearby in time and its clues."""
        nearby = nearby_keys(places_of(doc.regions) - {NOWHERE}, doc.published_at)
        return band_keys(prints.signature), nearby + sorted(map(clue_key, prints.clues))

    def add(self, doc: IncidentFeatures, prints: Fingerprint | None = None) -> str:
        """Place a document judged relevant (or a repost of a placed one): it joins the
        incident it belongs to or founds one."""
        placed = self._place(doc, prints, found=True, routes=(COPY, FOLLOW_UP))
        assert placed is not None
        return placed

    def join(self, doc: IncidentFeatures, prints: Fingerprint | None = None) -> str | None:
        """Place a document not judged relevant by the routes its ``joins`` allow: it joins
        an incident of relevant reports it is a copy, rewrite or follow-up of (it reports
        the same failure), or stays out (None); it never founds one."""
        if not doc.joins:
            return None
        return self._place(doc, prints, found=False, routes=doc.joins)

    def _place(
        self,
        doc: IncidentFeatures,
        prints: Fingerprint | None,
        *,
        found: bool,
        routes: tuple[str, ...],
    ) -> str | None:
        prints = prints or fingerprint(doc)
        signature, bigrams = prints.signature, set(prints.bigrams)
        places = places_of(doc.regions)
        bands = band_keys(signature)
        nearby = nearby_keys(places - {NOWHERE}, doc.published_at)
        clue_keys = sorted(map(clue_key, prints.clues))
        self._load(bands + nearby + clue_keys, limits=dict.fromkeys(bands, COMMON_BAND + 1))
        parent = self.incident_of(doc.parent_url)
        if parent and parent not in self.incidents and self.source is not None:
            self._load([], ids=[parent])
        incident = (
            self.incidents.get(parent)
            if parent
            else self._near_duplicate(signature, bands + clue_keys)
            or self._shared_clues(doc, prints.clues, clue_keys)
            or (self._follow_up(doc, bigrams, nearby) if FOLLOW_UP in routes else None)
        )
        if incident is None:
            if not found:
                return None
            incident = IncidentState(_incident_id(doc.doc_id), (_sort_time(doc), doc.doc_id))
            self.incidents[incident.id] = incident
        self._join(incident, doc, prints, places, bands)
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
            prints = fingerprint(member)
            known = old.signatures().get(member.doc_id)
            if known is not None:  # the signature it was placed with
                prints = Fingerprint(known, prints.bigrams, prints.clues)
            self._join(rebuilt, member, prints, places_of(member.regions))
        rebuilt.founded = min((_sort_time(d), d.doc_id) for d in rest)

    def _load(
        self, keys: list[str], ids: Sequence[str] = (), *, limits: Mapping[str, int] | None = None
    ) -> None:
        if self.source is None:
            return
        wanted = [key for key in keys if key not in self._asked]
        self._asked.update(wanted)
        states = self.source.states(wanted, limits=limits) if wanted else []
        if ids:
            states += self.source.states([id_key(i) for i in ids if i not in self.incidents])
        asked = set(wanted)
        for state, found_under in states:
            if state.id in self.touched and state.id not in self.incidents:
                continue  # taken apart in this run
            current = self.incidents.setdefault(state.id, state)  # the copy in memory is newer
            if current is not state and current.added is not None:
                current.learn(state)
            # Indexed under the keys asked now: a key asked before found it then, if it had it.
            # The store names the keys a stored state has (those it gained here are indexed
            # already); a copy made again in memory (a report taken out) is asked.
            has = (
                filter(current.has_key, wanted)
                if current.added is None
                else asked.intersection(found_under)
            )
            for key in has:
                self.by_key[key].add(current.id)

    def _near_duplicate(self, signature: np.ndarray, keys: list[str]) -> IncidentState | None:
        """The most similar incident sharing a band or a clue (ties: the earliest founded),
        weighed by the members that brought those keys to it.

        Bands find most copies; the clues catch those whose bands all differ by chance.
        """
        best, best_rank = None, None
        found: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            for incident_id in self._candidates(key):
                found[incident_id].append(key)
        for incident_id, shared in found.items():
            incident = self.incidents[incident_id]
            score = incident.key_similarity(signature, shared)
            if score < NEAR_DUPLICATE:
                continue
            rank = (-score, incident.founded)
            if best_rank is None or rank < best_rank:
                best, best_rank = incident, rank
        return best

    def _candidates(self, key: str) -> set[str]:
        """The incidents indexed under a band or clue key; none under a common band."""
        found = self.by_key.get(key, set())
        if len(found) > COMMON_BAND and not key.startswith(CLUE_PREFIX):
            return set()
        return found

    def _shared_clues(
        self, doc: IncidentFeatures, clues: frozenset[str], keys: list[str]
    ) -> IncidentState | None:
        """The incident sharing most of the report's particulars, if it shares enough."""
        best, best_rank = None, None
        candidates = {i for key in keys for i in self.by_key.get(key, ())}
        if not candidates:
            return None
        provinces = provinces_of(doc.regions)
        host = _host(doc.url)
        for incident_id in candidates:
            incident = self.incidents[incident_id]
            if not within_window(doc.published_at, incident.last_seen):
                continue
            if host and host in incident.hosts:
                continue  # one site's pages share its boilerplate quotes and places
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
        candidates: set[str] = set()
        for key in nearby:
            candidates.update(self.by_key.get(key, ()))
        spot = spot_of(doc)
        hotlines = set(doc.hotlines)
        for incident_id in sorted(candidates):
            incident = self.incidents[incident_id]
            if not within_window(doc.published_at, incident.last_seen):
                continue
            if hotlines and incident.hotlines and hotlines.isdisjoint(incident.hotlines):
                continue
            needed = FOLLOW_UP_OVERLAP
            if spot in incident.spots and within_window(
                doc.published_at, incident.last_seen, SAME_SPOT_WINDOW, undated=False
            ):
                needed = SAME_SPOT_OVERLAP
            margin = _overlap(bigrams, incident.bigrams) / needed
            if margin >= 1 and margin >= best_margin:
                best, best_margin = incident, margin
        return best

    def _join(
        self,
        incident: IncidentState,
        doc: IncidentFeatures,
        prints: Fingerprint,
        places: set[str],
        bands: list[str] | None = None,
    ) -> None:
        """Make the document a member; ``bands``: its LSH bands, when known already."""
        signature = prints.signature
        incident.add_member(doc.doc_id, signature)
        week = week_of(doc.published_at) if doc.published_at else None
        place_keys = {
            key
            for place in places - {NOWHERE}
            for key in (any_time_key(place), place_key(place, week))
        }
        bands = bands or band_keys(signature)
        incident.place_keys |= place_keys
        incident.band_keys.update(bands)
        clue_keys = sorted(map(clue_key, prints.clues))
        incident.note_key_members([*bands, *clue_keys], doc.doc_id)
        keys = {*bands, *place_keys, *clue_keys, id_key(incident.id)}
        for key in keys:
            self.by_key[key].add(incident.id)
        incident.note_keys(keys)
        incident.places |= places
        incident.provinces |= provinces_of(doc.regions)
        if spot := spot_of(doc):
            incident.spots.add(spot)
        incident.hotlines |= set(doc.hotlines)
        if host := _host(doc.url):
            incident.hosts.add(host)
        incident.note_bigrams(prints.bigrams)
        incident.clues |= prints.clues
        if doc.published_at and (
            incident.last_seen is None or doc.published_at > incident.last_seen
        ):
            incident.last_seen = doc.published_at
        self.touched.add(incident.id)


def assign_incidents(docs: Sequence[IncidentFeatures]) -> list[str | None]:
    """Incident ids for documents analysed together, placed as a store places them: every
    relevant document, and a repost of a placed one; None for the rest.

    Documents are placed oldest first, so the founding report names the incident. A
    document not judged relevant that ``joins`` one (``IncidentIndex.join``) gets its id
    too: it reports the same event, and is relevant through it.
    """
    index = IncidentIndex()
    ids: list[str | None] = [None] * len(docs)
    order = sorted(range(len(docs)), key=lambda i: (_sort_time(docs[i]), i))
    for i in order:
        if docs[i].relevant or index.incident_of(docs[i].parent_url):
            ids[i] = index.add(docs[i])
        else:
            ids[i] = index.join(docs[i])
    return ids


def _overlap(a: set[str], b: set[str] | dict[str, None]) -> float:
    """Share of the smaller vocabulary found in the larger (an incident's is the larger
    until it is full: ``IncidentState.bigrams``)."""
    if not a or not b:
        return 0.0
    shared = len(a & b) if isinstance(b, set) else len(a) - len(a.difference(b))
    return shared / min(len(a), len(b))


def _incident_id(doc_id: str) -> str:
    return "inc-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:10]


def _sort_time(doc: IncidentFeatures) -> float:
    return doc.published_at.timestamp() if doc.published_at else float("inf")


def _host(url: str | None) -> str:
    """The site of a document's URL (``www.`` and ``m.`` folded), empty when none."""
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.").removeprefix("m.")
