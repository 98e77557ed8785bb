"""Summarise an incident's documents into its stored record: first source, spread, tags, risk."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from analysis.incidents import IncidentFeatures
from analysis.risk import RiskSignals, assess_risk, sensitive_terms_in
from index.records import IncidentRecord, StoredDocument

SHANGHAI = ZoneInfo("Asia/Shanghai")


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
