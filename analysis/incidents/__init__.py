"""Incidents: documents about one real-world event, grouped as they arrive.

One module per job: ``features`` (what placing reads of a document, its fingerprint),
``minhash`` (signatures and LSH bands), ``clues`` (particulars), ``places`` (place
and week keys, the time window), ``state`` (what an incident remembers, as a store
keeps it), ``prints`` (a fingerprint's stored form) and ``placing`` (the index that
places documents).
"""

from analysis.incidents.features import (
    Fingerprint,
    IncidentFeatures,
    fingerprint,
    salient_bigrams,
    text_fingerprint,
)
from analysis.incidents.placing import (
    NEAR_DUPLICATE,
    IncidentIndex,
    IncidentSource,
    assign_incidents,
)
from analysis.incidents.state import IncidentState

__all__ = [
    "NEAR_DUPLICATE",
    "Fingerprint",
    "IncidentFeatures",
    "IncidentIndex",
    "IncidentSource",
    "IncidentState",
    "assign_incidents",
    "fingerprint",
    "salient_bigrams",
    "text_fingerprint",
]
