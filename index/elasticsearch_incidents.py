"""The Elasticsearch store's incidents: records, placement states, and assignments.

Mixed into ``ElasticsearchStore`` (which provides the client, the aliases and the
error handling); kept apart so each module stays about one thing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from elasticsearch import NotFoundError, helpers

from analysis.relevance import JOINED_EVENT
from index.elasticsearch_body import (
    document_body,
    incident_body,
    reason,
    stored_document,
    timestamp,
)
from index.errors import IncidentNotFound, StoreUnavailable
from index.records import IncidentRecord

logger = logging.getLogger("index.elasticsearch")

INCIDENT_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "level": {"type": "keyword"},
        "level_rank": {"type": "integer"},
        "score": {"type": "integer"},
        "last_seen_ts": {"type": "long"},
        "record": {"type": "object", "enabled": False},
    },
}
INCIDENT_STATE_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"keys": {"type": "keyword"}, "state": {"type": "object", "enabled": False}},
}
STATE_PAGE = 1000  # keys per query
STATE_HITS = 1000  # states per answer before a scroll takes over


class IncidentMethods:
    """Incident records (``<prefix>incidents``), placement states (``<prefix>incident-states``)
    and incident assignments of documents, for ``ElasticsearchStore``."""

    client: Any
    urls: list[str]
    documents: str
    incidents: str
    incident_states_alias: str
    _pending_incidents: dict[str, str | None]
    _pending_joined: set[str]  # of those, the documents made relevant by joining

    def set_incident(self, doc_id: str, incident_id: str | None, *, joined: bool = False) -> None:
        """Buffered: incident assignments are written in bulk before the next read.

        ``joined``: it joined as a report of the incident's event, and is relevant.
        """
        self._pending_incidents[doc_id] = incident_id
        if joined:
            self._pending_joined.add(doc_id)
        else:
            self._pending_joined.discard(doc_id)
        if len(self._pending_incidents) >= 500:
            self._flush_incidents()

    def replace_incidents(self, records: Iterable[IncidentRecord]) -> None:
        """A fresh physical index with exactly these records, then an atomic alias swap."""
        self._flush_incidents()
        actions = [{"_id": r.id, "_source": incident_body(r)} for r in records]
        with self._errors():
            old = self._physical(self.incidents)
            new = f"{self.incidents}-{time.time_ns()}"
            self._create(new, INCIDENT_MAPPING)
            helpers.bulk(self.client, actions, index=new, refresh="wait_for", max_retries=3)
            self._swap_alias(self.incidents, old, new)

    def put_incidents(
        self, records: Iterable[IncidentRecord], *, delete: Iterable[str] = ()
    ) -> None:
        """Write these incident records (replacing those with the same id), delete others."""
        actions: list[dict[str, Any]] = [
            {"_op_type": "delete", "_index": self.incidents, "_id": i} for i in delete
        ]
        actions += [
            {"_index": self.incidents, "_id": r.id, "_source": incident_body(r)} for r in records
        ]
        self._bulk_or_raise(actions)

    def incident_states(
        self,
        keys: Iterable[str],
        *,
        limits: Mapping[str, int] | None = None,
        light: bool = False,
    ) -> list[tuple[dict[str, Any], list[str]]]:
        """One request (a multi-search): a search per page of keys, each key a named query
        so a hit says which keys it was found under, and a search per limited key; a
        scroll only for an answer larger than a page. Whole states even when ``light``:
        here a second request for a state's members costs more than its bytes.

        The states index is apart from the documents, so buffered assignments need not
        be written first.
        """
        keys = list(dict.fromkeys(keys))
        if not keys:
            return []
        limits = limits or {}
        rest = [key for key in keys if key not in limits]
        queries: list[tuple[dict[str, Any], int, str | None]] = [
            (_named_terms(rest[start : start + STATE_PAGE]), STATE_HITS, None)
            for start in range(0, len(rest), STATE_PAGE)
        ]
        queries += [({"term": {"keys": key}}, limits[key], key) for key in keys if key in limits]
        searches: list[dict[str, Any]] = []
        for query, size, _ in queries:
            searches += [{}, {"query": query, "size": size, "track_total_hits": True}]
        self._ensure_ready()
        found: dict[str, tuple[dict[str, Any], list[str]]] = {}
        with self._errors():
            answers = self.client.msearch(index=self.incident_states_alias, searches=searches)
            for (query, _, key), answer in zip(queries, answers["responses"], strict=True):
                if "error" in answer:
                    raise StoreUnavailable(
                        f"Elasticsearch at {', '.join(self.urls)} refused a search: "
                        f"{reason(Exception(str(answer['error'])))}"
                    )
                hits = answer["hits"]["hits"]
                if key is None and answer["hits"]["total"]["value"] > len(hits):
                    hits = helpers.scan(
                        self.client, index=self.incident_states_alias, query={"query": query}
                    )
                for hit in hits:
                    _, under = found.setdefault(hit["_id"], (hit["_source"]["state"], []))
                    under += [key] if key else hit.get("matched_queries", [])
        return list(found.values())

    def incident_state_members(self, incident_id: str) -> dict[str, Any]:
        self._ensure_ready()
        with self._errors():
            try:
                found = self.client.get(
                    index=self.incident_states_alias,
                    id=incident_id,
                    source_includes=["state.members", "state.band_keys"],
                )
            except NotFoundError:
                raise IncidentNotFound(f"no placement state of incident {incident_id!r}") from None
        return dict(found["_source"]["state"])

    def write_incident_states(
        self,
        states: Mapping[str, tuple[list[str], dict[str, Any]] | None],
        *,
        added: Mapping[str, list[str]] | None = None,
    ) -> None:
        """Each state a document with all its keys (``added`` is of no help here)."""
        actions = [
            {"_op_type": "delete", "_index": self.incident_states_alias, "_id": incident_id}
            if value is None
            else {
                "_index": self.incident_states_alias,
                "_id": incident_id,
                "_source": {"keys": value[0], "state": value[1]},
            }
            for incident_id, value in states.items()
        ]
        self._bulk_or_raise(actions)

    def clear_incident_states(self) -> None:
        """A fresh empty physical index behind the alias (the node may lack delete-by-query)."""
        self._ensure_ready()
        with self._errors():
            old = self._physical(self.incident_states_alias)
            new = f"{self.incident_states_alias}-{time.time_ns()}"
            self._create(new, INCIDENT_STATE_MAPPING)
            self._swap_alias(self.incident_states_alias, old, new)

    def _bulk_or_raise(self, actions: list[dict[str, Any]]) -> None:
        """Bulk writes that must all succeed (a missing delete is fine)."""
        if not actions:
            return
        self._ensure_ready()
        with self._errors():
            for ok, item in helpers.streaming_bulk(
                self.client,
                actions,
                max_retries=3,
                initial_backoff=1,
                raise_on_error=False,
                chunk_size=500,
                refresh="wait_for",
            ):
                result = next(iter(item.values()))
                if not ok and result.get("status") != 404:
                    raise StoreUnavailable(
                        f"Elasticsearch at {', '.join(self.urls)} refused a write: "
                        f"{reason(Exception(str(result.get('error'))))}"
                    )

    def get_incident(self, incident_id: str) -> IncidentRecord:
        self._before_read()
        with self._errors():
            try:
                found = self.client.get(index=self.incidents, id=incident_id)
            except NotFoundError:
                raise IncidentNotFound(f"no incident with id {incident_id!r}") from None
        return IncidentRecord.from_json(found["_source"]["record"])

    def list_incidents(
        self,
        *,
        levels: tuple[str, ...] = (),
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[IncidentRecord]:
        """Incidents by risk (level, then score), then most recently seen."""
        filters: list[dict[str, Any]] = []
        if levels:
            filters.append({"terms": {"level": list(levels)}})
        if since is not None:
            filters.append({"range": {"last_seen_ts": {"gte": timestamp(since)}}})
        body = {
            "query": {"bool": {"filter": filters}},
            "sort": [{"level_rank": "desc"}, {"score": "desc"}, {"last_seen_ts": "desc"}],
            "from": offset,
            "size": limit,
        }
        self._before_read()
        with self._errors():
            response = self.client.search(index=self.incidents, body=body)
        return [IncidentRecord.from_json(h["_source"]["record"]) for h in response["hits"]["hits"]]

    def _flush_incidents(self) -> None:
        """Write buffered incident assignments as whole documents, never partial updates.

        A partial update re-indexes ``_source``, which lacks the index terms (they are
        excluded to halve the disk), so the document would vanish from text search.
        Each document is re-put from its ``_source`` with its terms recomputed, guarded
        by its sequence number: a concurrent upsert wins, and the assignment is retried.
        """
        if not self._pending_incidents:
            return
        pending, self._pending_incidents = self._pending_incidents, {}
        joined, self._pending_joined = self._pending_joined, set()
        with self._errors():
            for _ in range(5):
                pending = self._reput_with_incidents(pending, joined)
                if not pending:
                    break
            else:
                logger.warning("incident of %d document(s) kept changing; skipped", len(pending))
            self.client.indices.refresh(index=self.documents)

    def _reput_with_incidents(
        self, pending: dict[str, str | None], joined: set[str]
    ) -> dict[str, str | None]:
        """One round of re-puts; returns the assignments that met a concurrent write."""
        found = self.client.mget(index=self.documents, ids=list(pending))["docs"]
        actions = []
        for hit in found:
            if not hit.get("found"):
                continue
            doc = stored_document(hit["_source"])
            doc.incident_id = pending[hit["_id"]]
            if hit["_id"] in joined and not doc.relevant:
                doc.relevant = True
                doc.reasons.append(JOINED_EVENT)
            actions.append(
                {
                    "_index": self.documents,
                    "_id": hit["_id"],
                    "if_seq_no": hit["_seq_no"],
                    "if_primary_term": hit["_primary_term"],
                    "_source": document_body(doc, pending=False),
                }
            )
        conflicts: dict[str, str | None] = {}
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            max_retries=3,
            initial_backoff=1,
            raise_on_error=False,
            chunk_size=500,
        ):
            result = item.get("index", {})
            if ok:
                continue
            if result.get("status") == 409:
                conflicts[result["_id"]] = pending[result["_id"]]
            else:
                logger.warning("incident of %s not written: %s", result.get("_id"), result)
        return conflicts


def _named_terms(keys: list[str]) -> dict[str, Any]:
    """Any of these keys, each a named query (a hit lists those it matched)."""
    return {"bool": {"should": [{"term": {"keys": {"value": k, "_name": k}}} for k in keys]}}
