"""The running sums an incident's record is made from, updated by each document placed.

An incident record (first source, spread, sites, tags, risk) used to be summarised
again from every member document whenever the incident changed, so placing one report
into an incident of a thousand read a thousand documents. ``IncidentSummary`` keeps
what the record needs instead: counts, the first report, the time range, the sites,
the best tier, exact sums of negativity and reach, tag counts with the moment each
tag first appeared (ties rank as the original summary ranked them: first seen first)
and the times of the reports within 24 hours of the newest. ``add`` folds in one
document; folding the same documents in any order gives the same summary, so the
incremental path and a rebuild agree exactly. Taking a document out is not a delta:
the caller summarises the remaining members again (a removal reads them anyway).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from analysis.risk import SENSITIVE_TERMS, RiskSignals, assess_risk, sensitive_terms_in
from index.records import IncidentRecord, StoredDocument

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECENT = timedelta(hours=24)  # risk counts documents of the last 24 hours
REGIONS_SHOWN = 3

# A tag's rank: (-count, first seen, first document id, position in that document).
Tally = dict[str, list[Any]]  # value -> [count, first seen (ISO), first doc id, position]


@dataclass
class IncidentSummary:
    """What an incident's record is computed from; JSON-persisted by the store."""

    documents: int = 0
    first: dict[str, Any] = field(default_factory=dict)  # the earliest report (time, id)
    last_seen: str | None = None  # ISO time of the newest report
    outlets: set[str] = field(default_factory=set)
    best_tier: int | None = None
    negativity: Fraction = Fraction(0)  # exact: the sum does not depend on the order
    reach: int = 0
    daily: dict[str, int] = field(default_factory=dict)
    regions: Tally = field(default_factory=dict)
    hotlines: Tally = field(default_factory=dict)
    categories: Tally = field(default_factory=dict)
    sensitive: set[str] = field(default_factory=set)
    recent: list[str] = field(default_factory=list)  # ISO times within RECENT of last_seen

    @classmethod
    def of(cls, docs: list[StoredDocument]) -> IncidentSummary:
        """The summary of these documents, from scratch."""
        summary = cls()
        for doc in docs:
            summary.add(doc)
        return summary

    def add(self, doc: StoredDocument) -> None:
        moment = document_time(doc)
        seen = moment.isoformat()
        self.documents += 1
        if not self.first or (moment, doc.id) < (_time(self.first["seen"]), self.first["id"]):
            self.first = {
                "seen": seen,
                "id": doc.id,
                "title": doc.title,
                "url": doc.url,
                "source": doc.source,
                "outlet": doc.outlet or doc.domain,
            }
        self.outlets.add(doc.outlet or doc.domain or doc.source or doc.url)
        if doc.tier is not None and (self.best_tier is None or doc.tier < self.best_tier):
            self.best_tier = doc.tier
        self.negativity += Fraction(doc.negativity)
        if doc.kind == "post":
            self.reach += doc.reach
        day = moment.astimezone(SHANGHAI).date().isoformat()
        self.daily[day] = self.daily.get(day, 0) + 1
        for position, region in enumerate(doc.regions[:1]):
            key = json.dumps(sorted(region.items()), ensure_ascii=False)
            _count(self.regions, key, seen, doc.id, position)
        for position, hotline in enumerate(doc.hotlines):
            _count(self.hotlines, hotline, seen, doc.id, position)
        for position, category in enumerate(doc.categories):
            _count(self.categories, category, seen, doc.id, position)
        self.sensitive.update(sensitive_terms_in(doc.title + doc.text[:500]))
        self._note_time(moment)

    def _note_time(self, moment: datetime) -> None:
        last = _time(self.last_seen) if self.last_seen else None
        if last is None or moment > last:
            self.last_seen, last = moment.isoformat(), moment
        kept = [t for t in self.recent if _time(t) >= last - RECENT]
        if moment >= last - RECENT:
            kept.append(moment.isoformat())
        self.recent = sorted(kept)

    def recent_count(self, now: datetime) -> int | None:
        """Reports at or after ``now`` - 24 h; None when the kept times cannot tell (``now``
        before the newest report: older ones may count too)."""
        if self.last_seen is None or now < _time(self.last_seen):
            return None
        return sum(_time(t) >= now - RECENT for t in self.recent)

    def record(self, incident_id: str, *, last_24h: int) -> IncidentRecord:
        """The incident record, with ``last_24h`` reports in the last 24 hours."""
        negativity = float(self.negativity / self.documents)
        categories = _ranked(self.categories)
        risk = assess_risk(
            RiskSignals(
                documents=self.documents,
                sources=len(self.outlets),
                negativity=negativity,
                documents_last_24h=last_24h,
                best_tier=self.best_tier,
                sensitive_terms=tuple(t for t in SENSITIVE_TERMS if t in self.sensitive),
                categories=tuple(categories),
                reach=self.reach,
            )
        )
        first = self.first
        return IncidentRecord(
            id=incident_id,
            title=first["title"],
            first_document_id=first["id"],
            first_url=first["url"],
            first_source=first["source"],
            first_outlet=first["outlet"],
            first_seen=_time(first["seen"]),
            last_seen=_time(self.last_seen or first["seen"]),
            documents=self.documents,
            sources=len(self.outlets),
            daily=dict(sorted(self.daily.items())),
            regions=[dict(json.loads(r)) for r in _ranked(self.regions)[:REGIONS_SHOWN]],
            hotlines=_ranked(self.hotlines),
            categories=categories,
            negativity=round(negativity, 4),
            level=risk.level,
            score=risk.score,
            reasons=risk.reasons,
            reach=self.reach,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "first": self.first,
            "last_seen": self.last_seen,
            "outlets": sorted(self.outlets),
            "best_tier": self.best_tier,
            "negativity": str(self.negativity),
            "reach": self.reach,
            "daily": self.daily,
            "regions": self.regions,
            "hotlines": self.hotlines,
            "categories": self.categories,
            "sensitive": sorted(self.sensitive),
            "recent": self.recent,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncidentSummary:
        return cls(
            documents=data["documents"],
            first=data["first"],
            last_seen=data["last_seen"],
            outlets=set(data["outlets"]),
            best_tier=data["best_tier"],
            negativity=Fraction(data["negativity"]),
            reach=data["reach"],
            daily=data["daily"],
            regions=data["regions"],
            hotlines=data["hotlines"],
            categories=data["categories"],
            sensitive=set(data["sensitive"]),
            recent=data["recent"],
        )


def document_time(doc: StoredDocument) -> datetime:
    moment = doc.published_at or doc.fetched_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count(tally: Tally, value: str, seen: str, doc_id: str, position: int) -> None:
    entry = tally.get(value)
    if entry is None:
        tally[value] = [1, seen, doc_id, position]
        return
    entry[0] += 1
    if (_time(seen), doc_id, position) < (_time(entry[1]), entry[2], entry[3]):
        entry[1:] = [seen, doc_id, position]


def _ranked(tally: Tally) -> list[str]:
    return sorted(tally, key=lambda v: (-tally[v][0], _time(tally[v][1]), *tally[v][2:]))


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
