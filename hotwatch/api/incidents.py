"""Keep incidents current: the incremental update and the full rebuild live in the store's
package (``index.incidents``), so any process writing a store can update its incidents."""

from __future__ import annotations

import logging

from hotwatch.api.stopping import stop_on_signals
from index import Store
from index.incident_records import document_time, incident_features, incident_record
from index.incidents import rebuild_incidents, update_incidents

__all__ = [
    "document_time",
    "incident_features",
    "incident_record",
    "place_until_signalled",
    "rebuild_incidents",
    "update_incidents",
]

logger = logging.getLogger(__name__)
STOPPED = (
    "incidents partly updated: stopped by a signal; the documents not placed yet wait "
    "for the next crawl (or `hotwatch doctor --repair`)"
)


def place_until_signalled(store: Store) -> tuple[int, bool]:
    """``update_incidents`` after a crawl, stopped between two documents by SIGTERM or
    Ctrl+C; returns how many documents changed incident and whether it was stopped."""
    with stop_on_signals() as stopped:
        logger.info("placing the waiting documents in incidents (a signal stops between two)")
        changed = update_incidents(store, stop=stopped)
    if stopped():
        logger.error(STOPPED)
    return changed, stopped()
