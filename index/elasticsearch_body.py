"""How the Elasticsearch store writes and reads its records: document bodies with their
index terms, incident bodies, fetch times, and client errors as one-line messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, TransportError, helpers

from analysis.risk import LEVELS
from index.errors import StoreUnavailable
from index.records import IncidentRecord, StoredDocument
from index.sqlite_query import REGION_KINDS
from index.tokens import index_text

_DOCUMENT_FIELDS = tuple(f.name for f in fields(StoredDocument))


class Translate:
    """Turn client errors into one-line ``StoreUnavailable`` errors naming the cluster."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        if isinstance(error, (TransportError, ApiError, helpers.BulkIndexError)):
            raise StoreUnavailable(
                f"Elasticsearch at {', '.join(self.urls)}: {reason(error)}"
            ) from error


def reason(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:300]


def document_source(doc: StoredDocument) -> dict[str, Any]:
    """What the store keeps of a document (``stored_document`` reads it back)."""
    source = doc.to_json()
    source["fingerprint"] = doc.fingerprint
    return source


def document_body(doc: StoredDocument, *, pending: bool) -> dict[str, Any]:
    body = document_source(doc)
    body["incident_pending"] = pending
    body["date_ts"] = timestamp(doc.published_at or doc.fetched_at)
    body["title_terms"] = index_text(doc.title)
    body["body_terms"] = index_text(doc.text)
    for kind in REGION_KINDS:
        body[kind] = sorted({r[kind] for r in doc.regions if r.get(kind)})
    return body


def stored_document(source: Mapping[str, Any]) -> StoredDocument:
    values = {name: source[name] for name in _DOCUMENT_FIELDS if name in source}
    for name in ("fetched_at", "published_at"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return StoredDocument(**values)


def incident_body(record: IncidentRecord) -> dict[str, Any]:
    return {
        "level": record.level,
        "level_rank": LEVELS.index(record.level),
        "score": record.score,
        "last_seen_ts": timestamp(record.last_seen),
        "record": record.to_json(),
    }


def fetch_body(url: str, fetched_at: datetime) -> dict[str, str]:
    return {"url": url, "fetched_at": fetched_at.isoformat()}


def timestamp(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())
