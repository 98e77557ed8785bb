"""Keep stored documents' incident ids current after new documents arrive."""

from __future__ import annotations

from analysis.incidents import IncidentFeatures, IncidentIndex

from index import Store, StoredDocument


def incident_features(doc: StoredDocument) -> IncidentFeatures:
    return IncidentFeatures(
        doc_id=doc.id,
        title=doc.title,
        text=doc.text,
        published_at=doc.published_at or doc.fetched_at,
        regions=doc.regions,
        hotlines=doc.hotlines,
        categories=doc.categories,
    )


def update_incidents(store: Store) -> int:
    """Group relevant documents into incidents, oldest first, so ids are stable; returns changes.

    The grouping is replayed over every relevant document (linear in their number), so
    a run always yields the same ids as a fresh build would.
    """
    index = IncidentIndex()
    changed = 0
    for doc in store.iter_documents():
        incident_id = index.add(incident_features(doc)) if doc.relevant else None
        if incident_id != doc.incident_id:
            store.set_incident(doc.id, incident_id)
            changed += 1
    return changed
