"""The Elasticsearch backend: the same store as SQLite, on a cluster.

Three aliases (documents, fetches, incidents) each point at a versioned physical
index, so a mapping change is a copy into a new version and an atomic alias swap
(``reindex``; the node may lack the reindex module, so the copy runs here). Text
fields hold the SQLite store's index terms, so both backends match alike.

Writes go through the client's bulk helper with retries; a document the cluster
still does not take (it is down, or rejects it) is kept in a local spool and
replayed by ``flush_spool``, automatically when the store is next opened.

This module connects, reads and searches; writing is ``elasticsearch_write``, the
indices and aliases ``elasticsearch_indices``, incidents ``elasticsearch_incidents``
and their handling ``elasticsearch_handling``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from index.elasticsearch_body import Translate, reason, stored_document, timestamp
from index.elasticsearch_handling import HandlingMethods
from index.elasticsearch_incidents import IncidentMethods
from index.elasticsearch_indices import SWAP_GRACE_SECONDS, IndexMethods
from index.elasticsearch_query import filter_clauses, rule_query, sort_clauses
from index.elasticsearch_write import DOWN_SECONDS, WriteMethods
from index.errors import DocumentNotFound, StoreUnavailable
from index.records import (
    FACET_SIZE,
    FACETS,
    Hit,
    SearchQuery,
    SearchResult,
    StoredDocument,
    document_id,
)
from index.snippets import make_snippet
from index.spool import SPOOL_DIRECTORY, Spool
from index.sqlite_query import parse_query

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "hotwatch-"
RETRY_STATUSES = (429, 502, 503, 504)
FACET_FIELDS = {
    "hotline": "hotlines",
    "province": "province",
    "city": "city",
    "category": "categories",
    "source": "source",
}


class ElasticsearchStore(WriteMethods, IndexMethods, IncidentMethods, HandlingMethods):
    """A store on an Elasticsearch cluster (8.x), with a local spool for what it cannot take."""

    backend = "elasticsearch"

    def __init__(
        self, client: Elasticsearch, *, urls: list[str], prefix: str, replicas: int, data_dir: Path
    ) -> None:
        self.client = client
        self.urls = urls
        self.prefix = prefix
        self.replicas = replicas
        self.spool = Spool(Path(data_dir) / SPOOL_DIRECTORY)
        self.documents = f"{prefix}documents"
        self.fetches = f"{prefix}fetches"
        self.incidents = f"{prefix}incidents"
        self.incident_states_alias = f"{prefix}incident-states"
        self.handling = f"{prefix}incident-handling"
        self.history = f"{prefix}incident-history"
        self._down_until = 0.0
        self._pending_incidents: dict[str, str | None] = {}
        self._pending_joined: set[str] = set()
        self._ready = False

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, data_dir: Path) -> ElasticsearchStore:
        """Connect; an unreachable cluster is a warning (writes spool), not an error."""
        urls = list(options.get("urls") or [])
        if not urls:
            raise StoreUnavailable("the elasticsearch backend needs urls (or HOTWATCH_ES_URL)")
        auth: dict[str, Any] = {}
        if options.get("api_key"):
            auth["api_key"] = options["api_key"]
        elif options.get("username"):
            auth["basic_auth"] = (options["username"], options.get("password") or "")
        if options.get("ca_certs"):
            auth["ca_certs"] = options["ca_certs"]
        client = Elasticsearch(
            urls,
            verify_certs=bool(options.get("verify_certs", True)),
            request_timeout=float(options.get("timeout", 30)),
            max_retries=3,
            retry_on_timeout=True,
            retry_on_status=RETRY_STATUSES,
            **auth,
        )
        store = cls(
            client,
            urls=urls,
            prefix=str(options.get("index_prefix") or DEFAULT_PREFIX),
            replicas=int(options.get("replicas", 1)),
            data_dir=Path(data_dir),
        )
        try:
            store._prepare()
        except StoreUnavailable as error:
            logger.warning("%s; documents will be kept in %s", error, store.spool.path)
            return store
        if len(store.spool):
            try:
                store.flush_spool()
            except StoreUnavailable as error:  # the spool stays; the next open tries again
                logger.warning("spool not replayed: %s", error)
        return store

    # -- writing -----------------------------------------------------------------

    # -- reading -----------------------------------------------------------------

    def get(self, doc_id: str) -> StoredDocument:
        self._ensure_ready()
        if doc_id in self._pending_incidents:  # a get is real-time; only its own write waits
            self._flush_incidents()
        with self._errors():
            try:
                found = self.client.get(index=self.documents, id=doc_id)
            except NotFoundError:
                raise DocumentNotFound(f"no document with id {doc_id!r}") from None
        return stored_document(found["_source"])

    def last_fetched(self, url: str) -> datetime | None:
        """None when unknown, or when the cluster is unreachable (the page is fetched again)."""
        if time.monotonic() < self._down_until:
            return None
        try:
            self._ensure_ready()
            found = self.client.get(index=self.fetches, id=document_id(url))
        except NotFoundError:
            return None
        except (StoreUnavailable, TransportError, ApiError) as error:
            self._down_until = time.monotonic() + DOWN_SECONDS
            logger.warning("Elasticsearch unreachable for fetch times: %s", reason(error))
            return None
        return datetime.fromisoformat(found["_source"]["fetched_at"])

    def iter_documents(
        self,
        since: datetime | None = None,
        *,
        incident_id: str | None = None,
        pending: bool = False,
    ) -> Iterator[StoredDocument]:
        self._before_read()
        filters: list[dict[str, Any]] = []
        if since is not None:
            filters.append({"range": {"date_ts": {"gte": timestamp(since)}}})
        if incident_id is not None:
            filters.append({"term": {"incident_id": incident_id}})
        if pending:
            filters.append({"term": {"incident_pending": True}})
        body = {
            "query": {"bool": {"filter": filters}},
            "sort": [{"date_ts": "asc"}, {"id": "asc"}],
        }
        # Streamed from a scroll (a snapshot), so writes made while iterating do not disturb it.
        with self._errors():
            for hit in helpers.scan(
                self.client, index=self.documents, query=body, preserve_order=True
            ):
                yield stored_document(hit["_source"])

    def search(self, query: SearchQuery) -> SearchResult:
        rule = parse_query(query.text)
        must = [rule_query(rule.root)] if rule.root is not None else []
        body: dict[str, Any] = {
            "query": {"bool": {"must": must, "filter": filter_clauses(query)}},
            "sort": sort_clauses(query.sort, has_text=rule.root is not None),
            "track_total_hits": True,
            "track_scores": True,
            "from": query.offset,
            "size": query.limit,
        }
        if query.facets:
            body["aggs"] = {
                facet: {
                    "terms": {
                        "field": FACET_FIELDS[facet],
                        "size": FACET_SIZE,
                        **({"missing": ""} if facet == "source" else {}),
                    }
                }
                for facet in FACETS
            }
        self._before_read()
        with self._errors():
            response = self._search_documents(body)
        terms = rule.terms()
        hits = [self._hit(hit, terms) for hit in response["hits"]["hits"]]
        facets = (
            {
                facet: [
                    (b["key"], b["doc_count"]) for b in response["aggregations"][facet]["buckets"]
                ]
                for facet in FACETS
            }
            if query.facets
            else {}
        )
        return SearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

    def data_version(self) -> int | None:
        """Unknown: several nodes and refreshes make a cheap, exact change counter hard."""
        return None

    def commit_search(self) -> None:
        """Nothing to do: the cluster makes written documents searchable by itself."""

    def stats(self) -> dict[str, Any]:
        self._before_read()
        with self._errors():
            documents = self.client.count(index=self.documents)["count"]
            relevant = self.client.count(index=self.documents, query={"term": {"relevant": True}})[
                "count"
            ]
            incidents = self.client.count(index=self.incidents)["count"]
            sources = self.client.search(
                index=self.documents,
                size=0,
                aggs={"sources": {"terms": {"field": "source", "size": 1000, "missing": ""}}},
            )["aggregations"]["sources"]["buckets"]
        return {
            "backend": self.backend,
            "urls": self.urls,
            "documents": documents,
            "relevant": relevant,
            "incidents": incidents,
            "sources": {b["key"]: b["doc_count"] for b in sources},
            "spooled": self.spooled(),
        }

    def health(self) -> dict[str, Any]:
        """Cluster status and nodes, and the physical index behind each alias with its count.

        An unreachable cluster is a status here (``"unreachable"``), not an error.
        """
        try:
            with self._errors():
                cluster = self.client.cluster.health()
                indices = {}
                for alias in (self.documents, self.fetches, self.incidents):
                    physical = self._physical(alias)
                    count = self.client.count(index=alias)["count"] if physical else 0
                    indices[alias] = {"index": physical, "documents": count}
        except StoreUnavailable as error:
            return {"status": "unreachable", "error": str(error), "spooled": self.spooled()}
        return {
            "status": cluster["status"],
            "nodes": cluster["number_of_nodes"],
            "indices": indices,
            "spooled": self.spooled(),
        }

    def close(self) -> None:
        try:
            self._flush_incidents()
        except StoreUnavailable as error:
            logger.warning("incident assignments not written: %s", error)
        self.client.close()

    # -- internals ---------------------------------------------------------------

    def _before_read(self) -> None:
        self._ensure_ready()
        self._flush_incidents()

    def _ensure_ready(self) -> None:
        if not self._ready:
            self._prepare()

    def _search_documents(self, body: dict[str, Any]) -> Any:
        """Search, once more if the index behind the alias was swapped away mid-query."""
        try:
            return self.client.search(index=self.documents, body=body)
        except (ApiError, NotFoundError) as error:
            if getattr(error, "status_code", None) not in (404, 503):
                raise
            logger.info("search met a swapped index, once more: %s", reason(error))
            time.sleep(SWAP_GRACE_SECONDS)
            return self.client.search(index=self.documents, body=body)

    def _hit(self, hit: dict[str, Any], terms: list[str]) -> Hit:
        doc = stored_document(hit["_source"])
        snippet, highlights = make_snippet(doc.text or doc.title, terms)
        score = hit.get("_score") or 0.0
        return Hit(document=doc, score=float(score), snippet=snippet, highlights=highlights)

    def _errors(self) -> Translate:
        return Translate(self.urls)
