"""Keep incidents current: group stored documents, then summarise each group with its risk."""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import fmean
from zoneinfo import ZoneInfo

import numpy as np

from analysis.incidents import Fingerprint, IncidentFeatures, IncidentIndex, fingerprint
from analysis.risk import RiskSignals, assess_risk, sensitive_terms_in
from index import IncidentRecord, Store, StoredDocument

SHANGHAI = ZoneInfo("Asia/Shanghai")
CACHE_FILE = "incident-fingerprints.pickle"
CACHE_VERSION = 1  # bump when minhash or salient_bigrams change
logger = logging.getLogger(__name__)


class FingerprintCache:
    """Fingerprints by document id and content hash; a missing or bad file means recompute."""

    def __init__(self, entries: dict[str, tuple[str, bytes, frozenset[str]]] | None = None):
        self.entries = entries or {}
        self.used: dict[str, tuple[str, bytes, frozenset[str]]] = {}

    @classmethod
    def load(cls, directory: Path) -> FingerprintCache:
        try:
            with (directory / CACHE_FILE).open("rb") as file:
                version, entries = pickle.load(file)
        except FileNotFoundError:
            return cls()
        except Exception as error:  # noqa: BLE001 - any damage just means a full rebuild
            logger.warning("incident cache unreadable, rebuilding: %s", error)
            return cls()
        return cls(entries) if version == CACHE_VERSION else cls()

    def fingerprint(self, doc: IncidentFeatures) -> Fingerprint:
        content = hashlib.sha1(f"{doc.title}\0{doc.text}".encode()).hexdigest()
        cached = self.entries.get(doc.doc_id)
        if cached and cached[0] == content:
            prints = Fingerprint(np.frombuffer(cached[1], dtype=np.uint64), cached[2])
        else:
            prints = fingerprint(doc)
        self.used[doc.doc_id] = (content, prints.signature.tobytes(), prints.bigrams)
        return prints

    def save(self, directory: Path) -> None:
        """Keep only this run's documents; written aside then renamed, so never half-written."""
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / (CACHE_FILE + ".partial")
        with partial.open("wb") as file:
            pickle.dump((CACHE_VERSION, self.used), file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(directory / CACHE_FILE)


def incident_features(doc: StoredDocument) -> IncidentFeatures:
    return IncidentFeatures(
        doc_id=doc.id,
        title=doc.title,
        text=doc.text,
        published_at=document_time(doc),
        regions=doc.regions,
        hotlines=doc.hotlines,
        categories=doc.categories,
        url=doc.url,
        parent_url=doc.parent_url,
    )


def update_incidents(
    store: Store, *, now: datetime | None = None, cache_dir: Path | None = None
) -> int:
    """Regroup relevant documents (oldest first, so ids are stable) and store incident records.

    Returns how many documents changed incident. The grouping is replayed over every
    stored document, so a run yields what a fresh build would; with ``cache_dir`` the
    text fingerprints (the costly part) of unchanged documents are reused from disk.
    """
    cache = FingerprintCache.load(cache_dir) if cache_dir else FingerprintCache()
    index = IncidentIndex()
    groups: dict[str, list[StoredDocument]] = defaultdict(list)
    changed = 0
    for doc in store.iter_documents():
        incident_id = None
        if doc.relevant or index.incident_of(doc.parent_url):
            features = incident_features(doc)
            incident_id = index.add(features, cache.fingerprint(features))
        if incident_id != doc.incident_id:
            store.set_incident(doc.id, incident_id)
            doc.incident_id = incident_id
            changed += 1
        if incident_id:
            groups[incident_id].append(doc)
    if cache_dir:
        try:
            cache.save(cache_dir)
        except OSError as error:  # only a speed-up is lost; the next run recomputes
            logger.warning("incident cache not saved: %s", error)
    now = now or datetime.now(UTC)
    store.replace_incidents(incident_record(i, docs, now=now) for i, docs in groups.items())
    return changed


def incident_record(
    incident_id: str, docs: list[StoredDocument], *, now: datetime
) -> IncidentRecord:
    """Summarise one incident's documents: first source, spread, tags and risk."""
    docs = sorted(docs, key=document_time)
    first, last = docs[0], docs[-1]
    outlets = {doc.outlet or doc.domain or doc.source or doc.url for doc in docs}
    tiers = [doc.tier for doc in docs if doc.tier is not None]
    negativity = fmean(doc.negativity for doc in docs)
    reach = sum(doc.reach for doc in docs if doc.kind == "post")
    categories = _ranked(c for doc in docs for c in doc.categories)
    risk = assess_risk(
        RiskSignals(
            documents=len(docs),
            sources=len(outlets),
            negativity=negativity,
            documents_last_24h=sum(document_time(d) >= now - timedelta(hours=24) for d in docs),
            best_tier=min(tiers) if tiers else None,
            sensitive_terms=sensitive_terms_in(" ".join(d.title + d.text[:500] for d in docs)),
            categories=tuple(categories),
            reach=reach,
        )
    )
    return IncidentRecord(
        id=incident_id,
        title=first.title,
        first_document_id=first.id,
        first_url=first.url,
        first_source=first.source,
        first_outlet=first.outlet or first.domain,
        first_seen=document_time(first),
        last_seen=document_time(last),
        documents=len(docs),
        sources=len(outlets),
        daily=dict(sorted(Counter(_day(d) for d in docs).items())),
        regions=_ranked_regions(docs),
        hotlines=_ranked(h for doc in docs for h in doc.hotlines),
        categories=categories,
        negativity=round(negativity, 4),
        level=risk.level,
        score=risk.score,
        reasons=risk.reasons,
        reach=reach,
    )


def document_time(doc: StoredDocument) -> datetime:
    moment = doc.published_at or doc.fetched_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(doc: StoredDocument) -> str:
    return document_time(doc).astimezone(SHANGHAI).date().isoformat()


def _ranked(values: object) -> list[str]:
    return [value for value, _ in Counter(values).most_common()]  # type: ignore[arg-type]


def _ranked_regions(docs: list[StoredDocument]) -> list[dict[str, str]]:
    counts = Counter(tuple(sorted(r.items())) for doc in docs for r in doc.regions[:1])
    return [dict(region) for region, _ in counts.most_common(3)]
