"""Summarise an incident's documents into its stored record: first source, spread, tags, risk."""

from __future__ import annotations

from datetime import datetime

from analysis.incidents import IncidentFeatures
from analysis.incidents.prints import stored_fingerprint
from analysis.relevance import event_routes
from index.incident_summary import RECENT, IncidentSummary, document_time
from index.records import IncidentRecord, StoredDocument

__all__ = ["document_time", "incident_features", "incident_record"]


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
        relevant=doc.relevant,
        joins=event_routes(doc.relevant, doc.relevance, doc.reasons),
        prints=stored_fingerprint(doc.fingerprint, doc.title, doc.text),
    )


def incident_record(
    incident_id: str, docs: list[StoredDocument], *, now: datetime
) -> IncidentRecord:
    """Summarise one incident's documents from scratch: first source, spread, tags and risk."""
    last_24h = sum(document_time(d) >= now - RECENT for d in docs)
    return IncidentSummary.of(docs).record(incident_id, last_24h=last_24h)
