"""The physical indices behind the Elasticsearch store's aliases: their mappings,
creation, atomic alias swaps, and ``reindex`` into a new version.

Mixed into ``ElasticsearchStore`` (which provides the client, the alias names and
error handling); kept apart so each module stays about one thing.
"""

from __future__ import annotations

import time
from typing import Any

from elasticsearch import ApiError, NotFoundError, helpers

from index.elasticsearch_body import document_body, stored_document
from index.elasticsearch_handling import HANDLING_MAPPING, HISTORY_MAPPING
from index.elasticsearch_incidents import INCIDENT_MAPPING, INCIDENT_STATE_MAPPING
from index.sqlite_query import REGION_KINDS

SWAP_GRACE_SECONDS = 1.0  # searches still running on an index swapped away finish meanwhile
_KEYWORDS = (
    "id",
    "url",
    "fetched_url",
    "source",
    "domain",
    "incident_id",
    "kind",
    "parent_url",
    "hotlines",
    "categories",
    "plans",
    *REGION_KINDS,
)
FINGERPRINT_MAPPING: dict[str, Any] = {"type": "object", "enabled": False}
DOCUMENT_MAPPING: dict[str, Any] = {
    "dynamic": False,
    # The terms are not kept in _source (half the disk), so a document is only ever
    # written whole (``document_body``): a partial update would re-index it without them.
    "_source": {"excludes": ["title_terms", "body_terms"]},
    "properties": {
        **{name: {"type": "keyword"} for name in _KEYWORDS},
        "title_terms": {"type": "text", "analyzer": "whitespace"},
        "body_terms": {"type": "text", "analyzer": "whitespace"},
        "date_ts": {"type": "long"},
        "relevant": {"type": "boolean"},
        "incident_pending": {"type": "boolean"},
        **{name: {"type": "float"} for name in ("relevance", "negativity", "sentiment")},
        **{name: {"type": "integer"} for name in ("tier", "reposts", "comments", "likes")},
        "fingerprint": FINGERPRINT_MAPPING,  # kept for placing, never searched
    },
}
FETCH_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"url": {"type": "keyword"}, "fetched_at": {"type": "keyword"}},
}


class IndexMethods:
    """Aliases and their versioned indices, for ``ElasticsearchStore``."""

    client: Any
    replicas: int
    documents: str
    fetches: str
    incidents: str
    incident_states_alias: str
    handling: str
    history: str
    _ready: bool

    def reindex(self) -> tuple[str, str]:
        """Copy the documents into a new version of their index and swap the alias to it."""
        self._before_read()
        with self._errors():
            old = self._physical(self.documents)
            version = int(old.rsplit("-v", 1)[1]) + 1 if old and "-v" in old else 1
            new = f"{self.documents}-v{version}"
            self._create(new, DOCUMENT_MAPPING)
            scan = helpers.scan(
                self.client, index=self.documents, query={"query": {"match_all": {}}}
            )
            actions = (
                {
                    "_id": h["_id"],
                    "_source": document_body(
                        stored_document(h["_source"]),
                        pending=h["_source"].get("incident_pending", True),
                    ),
                }
                for h in scan
            )
            helpers.bulk(self.client, actions, index=new, max_retries=3, chunk_size=500)
            self.client.indices.refresh(index=new)
            self._swap_alias(self.documents, old, new)
        return old or "", new

    def _prepare(self) -> None:
        """Create the aliases and their first indices where missing."""
        with self._errors():
            for alias, mapping in (
                (self.documents, DOCUMENT_MAPPING),
                (self.fetches, FETCH_MAPPING),
                (self.incidents, INCIDENT_MAPPING),
                (self.incident_states_alias, INCIDENT_STATE_MAPPING),
                (self.handling, HANDLING_MAPPING),
                (self.history, HISTORY_MAPPING),
            ):
                if self._physical(alias) is None:
                    self._create(f"{alias}-v1", mapping, alias=alias)
            # Stores made before incremental incidents (and stored fingerprints) lack the
            # fields; adding one is allowed.
            self.client.indices.put_mapping(
                index=self.documents,
                properties={
                    "incident_pending": {"type": "boolean"},
                    "fingerprint": FINGERPRINT_MAPPING,
                },
            )
        self._ready = True

    def _create(self, name: str, mapping: dict[str, Any], *, alias: str | None = None) -> None:
        try:
            self.client.indices.create(
                index=name,
                mappings=mapping,
                settings={"number_of_replicas": self.replicas},
                aliases={alias: {}} if alias else None,
                wait_for_active_shards="1",
            )
        except ApiError as error:
            if "resource_already_exists_exception" not in str(error):
                raise

    def _physical(self, alias: str) -> str | None:
        try:
            names = list(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return None
        return sorted(names)[-1] if names else None

    def _swap_alias(self, alias: str, old: str | None, new: str) -> None:
        """Point the alias at ``new`` atomically; the old index goes once searches on it are done.

        Deleting it in the same step fails the searches still running on it.
        """
        actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": alias}}]
        if old:
            actions.append({"remove": {"index": old, "alias": alias}})
        self.client.indices.update_aliases(actions=actions)
        if old:
            time.sleep(SWAP_GRACE_SECONDS)
            self.client.indices.delete(index=old, ignore_unavailable=True)
