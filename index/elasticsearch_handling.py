"""The Elasticsearch store's incident handling: states (``<prefix>incident-handling``)
and their append-only history (``<prefix>incident-history``, entries only created).

Mixed into ``ElasticsearchStore`` beside ``IncidentMethods`` (client, aliases, bulk
writes and error handling come from there).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from elasticsearch import helpers

from index.elasticsearch_body import reason
from index.errors import StoreUnavailable
from index.handling_records import Handling, HistoryEntry

HANDLING_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "status": {"type": "keyword"},
        "assignee": {"type": "keyword"},
        "state": {"type": "object", "enabled": False},
    },
}
HISTORY_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "incident_id": {"type": "keyword"},
        "at": {"type": "keyword"},
        "seq": {"type": "long"},
        "entry": {"type": "object", "enabled": False},
    },
}
ID_PAGE = 1000


class HandlingMethods:
    """Incident handling states and their history, for ``ElasticsearchStore``."""

    client: Any
    urls: list[str]
    handling: str
    history: str

    def get_handling(self, incident_ids: Iterable[str]) -> dict[str, Handling]:
        ids = list(dict.fromkeys(incident_ids))
        if not ids:
            return {}
        self._ensure_ready()  # type: ignore[attr-defined]
        found: dict[str, Handling] = {}
        with self._errors():  # type: ignore[attr-defined]
            for start in range(0, len(ids), ID_PAGE):
                docs = self.client.mget(index=self.handling, ids=ids[start : start + ID_PAGE])
                for hit in docs["docs"]:
                    if hit.get("found"):
                        found[hit["_id"]] = Handling.from_json(hit["_source"]["state"])
        return found

    def list_handling(
        self, *, statuses: tuple[str, ...] = (), assignee: str | None = None
    ) -> list[Handling]:
        filters: list[dict[str, Any]] = []
        if statuses:
            filters.append({"terms": {"status": list(statuses)}})
        if assignee is not None:
            filters.append({"term": {"assignee": assignee}})
        self._ensure_ready()  # type: ignore[attr-defined]
        with self._errors():  # type: ignore[attr-defined]
            hits = helpers.scan(
                self.client, index=self.handling, query={"query": {"bool": {"filter": filters}}}
            )
            found = [Handling.from_json(h["_source"]["state"]) for h in hits]
        return sorted(found, key=lambda h: h.incident_id)

    def write_handling(
        self, states: Iterable[Handling], history: Iterable[HistoryEntry] = ()
    ) -> None:
        """History first (created, never overwritten: an entry already stored stays), then
        the states, so a state is never stored without the entries that explain it."""
        base = time.time_ns()
        entries = [
            {
                "_op_type": "create",
                "_index": self.history,
                "_id": entry.id,
                "_source": {
                    "incident_id": entry.incident_id,
                    "at": entry.at.isoformat(),
                    "seq": base + n,
                    "entry": entry.to_json(),
                },
            }
            for n, entry in enumerate(history)
        ]
        self._create_entries(entries)
        self._bulk_or_raise(  # type: ignore[attr-defined]
            [
                {
                    "_index": self.handling,
                    "_id": s.incident_id,
                    "_source": {"status": s.status, "assignee": s.assignee, "state": s.to_json()},
                }
                for s in states
            ]
        )

    def iter_history(self, incident_id: str | None = None) -> Iterator[HistoryEntry]:
        """History entries, oldest first: of one incident, or of all."""
        query: dict[str, Any] = (
            {"term": {"incident_id": incident_id}} if incident_id else {"match_all": {}}
        )
        self._ensure_ready()  # type: ignore[attr-defined]
        with self._errors():  # type: ignore[attr-defined]
            hits = list(
                helpers.scan(
                    self.client,
                    index=self.history,
                    query={"query": query, "sort": [{"at": "asc"}, {"seq": "asc"}]},
                    preserve_order=True,
                )
            )
        for hit in hits:
            yield HistoryEntry.from_json(hit["_source"]["entry"])

    def _create_entries(self, actions: list[dict[str, Any]]) -> None:
        if not actions:
            return
        self._ensure_ready()  # type: ignore[attr-defined]
        with self._errors():  # type: ignore[attr-defined]
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
                if not ok and result.get("status") != 409:  # 409: already stored
                    raise StoreUnavailable(
                        f"Elasticsearch at {', '.join(self.urls)} refused a write: "
                        f"{reason(Exception(str(result.get('error'))))}"
                    )
