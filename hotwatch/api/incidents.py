"""Keep incidents current: the incremental update and the full rebuild live in the store's
package (``index.incidents``), so any process writing a store can update its incidents."""

from __future__ import annotations

from index.incident_records import document_time, incident_features, incident_record
from index.incidents import rebuild_incidents, update_incidents

__all__ = [
    "document_time",
    "incident_features",
    "incident_record",
    "rebuild_incidents",
    "update_incidents",
]
