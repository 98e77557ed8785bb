"""Trending terms and incidents over a store: the Python API behind ``hotwatch trending``.

Only the window and its baseline are read (``Store.iter_documents(since=...)``);
``analysis.trending`` does the counting and scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from analysis.phrases import Segmenter
from analysis.trending import (
    Burst,
    Event,
    TrendingOptions,
    engagement_weight,
    trending_keys,
    trending_terms,
)
from index import IncidentNotFound, Store, StoredDocument

WINDOWS = {"24h": timedelta(hours=24), "3d": timedelta(days=3), "7d": timedelta(days=7)}
BASELINE_WINDOWS = {"24h": 7, "3d": 4, "7d": 4}  # a week of days; about a month of weeks
LEAD_CHARS = 80  # of the body, after the title: enough for the story, cheap to segment


@dataclass(frozen=True)
class Sample:
    """A document cited for a trending item."""

    id: str
    title: str
    url: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "url": self.url}


@dataclass
class TrendingItem:
    """A trending term or incident: its volume now, its baseline, and documents behind it."""

    kind: str  # "term" or "incident"
    key: str
    label: str
    count: float
    docs: int
    baseline: float
    growth: float
    score: float
    first_seen: datetime
    samples: list[Sample] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "docs": self.docs,
            "baseline": self.baseline,
            "growth": round(self.growth, 3),
            "score": self.score,
            "first_seen": self.first_seen.isoformat(),
            "samples": [s.to_json() for s in self.samples],
        }


@dataclass
class TrendingReport:
    window: str
    now: datetime
    plan: str | None
    documents: int  # documents read: the window and its baseline
    terms: list[TrendingItem]
    incidents: list[TrendingItem]

    def to_json(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "now": self.now.isoformat(),
            "plan": self.plan,
            "documents": self.documents,
            "terms": [t.to_json() for t in self.terms],
            "incidents": [i.to_json() for i in self.incidents],
        }


def window_length(window: str) -> timedelta:
    """``24h``, ``3d`` or ``7d``; raises ``ValueError`` for anything else."""
    try:
        return WINDOWS[window]
    except KeyError:
        raise ValueError(f"window must be one of {', '.join(WINDOWS)}, not {window!r}") from None


def trending_report(
    store: Store,
    *,
    window: str = "24h",
    plan: str | None = None,
    top: int = 10,
    now: datetime | None = None,
    relevant_only: bool = True,
    options: TrendingOptions | None = None,
    segment: Segmenter | None = None,
) -> TrendingReport:
    """The top ``top`` trending terms and incidents in the window ending at ``now``."""
    now = now or datetime.now(UTC)
    options = replace(
        options or TrendingOptions(),
        window=window_length(window),
        baseline_windows=BASELINE_WINDOWS[window],
        top=top,
    )
    docs = window_documents(store, now, options, plan=plan, relevant_only=relevant_only)
    events = [document_event(doc) for doc in docs]
    by_id = {doc.id: doc for doc in docs}
    terms = trending_terms(events, now, options, segment)
    incident_keys = ((doc.incident_id,) if doc.incident_id else () for doc in docs)
    incidents = trending_keys(zip(events, incident_keys, strict=True), now, options)[:top]
    return TrendingReport(
        window=window,
        now=now,
        plan=plan,
        documents=len(docs),
        terms=[_item("term", burst, burst.key, by_id) for burst in terms],
        incidents=[_item("incident", b, _incident_title(store, b.key), by_id) for b in incidents],
    )


def window_documents(
    store: Store,
    now: datetime,
    options: TrendingOptions,
    *,
    plan: str | None = None,
    relevant_only: bool = True,
) -> list[StoredDocument]:
    """Documents of the window and its baseline, in a plan (by name) when one is given."""
    docs = []
    for doc in store.iter_documents(since=now - options.lookback()):
        if relevant_only and not doc.relevant:
            continue
        if plan and plan not in doc.plans:
            continue
        docs.append(doc)
    return docs


def document_event(doc: StoredDocument) -> Event:
    """A document as a trending event: title and lead, weighted by its social reach."""
    moment = doc.published_at or doc.fetched_at
    return Event(
        time=moment if moment.tzinfo else moment.replace(tzinfo=UTC),
        text=f"{doc.title}\n{doc.text[:LEAD_CHARS]}",
        weight=engagement_weight(doc.reach),
        key=doc.id,
    )


def _item(kind: str, burst: Burst, label: str, by_id: dict[str, StoredDocument]) -> TrendingItem:
    return TrendingItem(
        kind=kind,
        key=burst.key,
        label=label,
        count=burst.count,
        docs=burst.docs,
        baseline=burst.baseline,
        growth=burst.growth,
        score=burst.score,
        first_seen=burst.first_seen,
        samples=[Sample(i, by_id[i].title, by_id[i].url) for i in burst.samples],
    )


def _incident_title(store: Store, incident_id: str) -> str:
    try:
        return store.get_incident(incident_id).title
    except IncidentNotFound:
        return incident_id
