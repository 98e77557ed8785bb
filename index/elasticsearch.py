"""The Elasticsearch backend: the same store as SQLite, on a cluster.

Three aliases (documents, fetches, incidents) each point at a versioned physical
index, so a mapping change is a copy into a new version and an atomic alias swap
(``reindex``; the node may lack the reindex module, so the copy runs here). Text
fields hold the SQLite store's index terms, so both backends match alike.

Writes go through the client's bulk helper with retries; a document the cluster
still does not take (it is down, or rejects it) is kept in a local spool and
replayed by ``flush_spool``, automatically when the store is next opened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from index.elasticsearch_body import (
    Translate,
    document_body,
    fetch_body,
    reason,
    stored_document,
    timestamp,
)
from index.elasticsearch_handling import HANDLING_MAPPING, HISTORY_MAPPING, HandlingMethods
from index.elasticsearch_incidents import (
    INCIDENT_MAPPING,
    INCIDENT_STATE_MAPPING,
    IncidentMethods,
)
from index.elasticsearch_query import filter_clauses, rule_query, sort_clauses
from index.errors import DocumentNotFound, StoreUnavailable
from index.incidents import update_incidents
from index.records import (
    FACET_SIZE,
    FACETS,
    Hit,
    SearchQuery,
    SearchResult,
    StoredDocument,
    UpsertOutcome,
    document_id,
    merged_urls,
    placement,
)
from index.snippets import make_snippet
from index.spool import SPOOL_DIRECTORY, Spool
from index.sqlite_query import REGION_KINDS, parse_query

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "hotwatch-"
RETRY_STATUSES = (429, 502, 503, 504)
DOWN_SECONDS = 30.0  # after a failed write, spool straight away for this long
SWAP_GRACE_SECONDS = 1.0  # searches still running on an index swapped away finish meanwhile
FACET_FIELDS = {
    "hotline": "hotlines",
    "province": "province",
    "city": "city",
    "category": "categories",
    "source": "source",
}
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
    },
}
FETCH_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"url": {"type": "keyword"}, "fetched_at": {"type": "keyword"}},
}
_DOCUMENT_FIELDS = tuple(f.name for f in fields(StoredDocument))


class ElasticsearchStore(IncidentMethods, HandlingMethods):
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

    def upsert(self, doc: StoredDocument) -> UpsertOutcome:
        return self.upsert_many([doc])[0]

    def upsert_many(self, docs: Iterable[StoredDocument]) -> list[UpsertOutcome]:
        """Index documents; the ones the cluster does not take are spooled ("spooled")."""
        docs = list(docs)
        outcomes, failed = self._write(docs)
        if failed:
            self.spool.append(doc.to_json() for doc in failed)
            logger.warning(
                "Elasticsearch did not take %d document(s); kept in %s",
                len(failed),
                self.spool.path,
            )
        return outcomes

    def flush_spool(self) -> int:
        """Index the spooled documents, then place every document awaiting its incident;
        returns how many went in. Failures stay spooled.

        Raises ``StoreUnavailable`` when the cluster cannot be reached at all.
        """
        self._down_until = 0.0
        self._ensure_ready()
        records = self.spool.read()
        if not records:
            return 0
        docs = [stored_document(record) for record in records]
        outcomes, failed = self._write(docs)
        sent = sum(1 for outcome in outcomes if outcome != "spooled")
        if sent:
            # The crawl that spooled them could not place its documents either; placing
            # them now gives the incidents an undisturbed crawl has, with no manual step.
            update_incidents(self)
        # Only once they are placed: a replay killed while placing finds them again (a
        # document written again unchanged keeps its incident) and places the rest.
        self.spool.replace(doc.to_json() for doc in failed)
        return sent

    def spooled(self) -> int:
        return len(self.spool)

    def record_fetch(self, url: str, fetched_at: datetime) -> None:
        if time.monotonic() < self._down_until:
            return
        try:
            self._ensure_ready()
            self.client.index(
                index=self.fetches, id=document_id(url), document=fetch_body(url, fetched_at)
            )
        except (StoreUnavailable, TransportError, ApiError) as error:
            logger.warning("fetch time of %s not recorded: %s", url, reason(error))

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

    def close(self) -> None:
        try:
            self._flush_incidents()
        except StoreUnavailable as error:
            logger.warning("incident assignments not written: %s", error)
        self.client.close()

    # -- internals ---------------------------------------------------------------

    def _write(
        self, docs: list[StoredDocument]
    ) -> tuple[list[UpsertOutcome], list[StoredDocument]]:
        """Index documents; returns each one's outcome and the documents not taken."""
        if not docs:
            return [], []
        if time.monotonic() < self._down_until:
            return ["spooled"] * len(docs), docs
        try:
            self._ensure_ready()
            outcomes, written = planned_writes(docs, self._previous_versions(docs))
            errors = self._bulk_documents(written)
        except (StoreUnavailable, TransportError, ApiError) as error:
            self._down_until = time.monotonic() + DOWN_SECONDS
            logger.warning("Elasticsearch write failed: %s", reason(error))
            return ["spooled"] * len(docs), docs
        failed = [doc for doc in docs if doc.id in errors]
        return [
            "spooled" if doc.id in errors else o for doc, o in zip(docs, outcomes, strict=True)
        ], failed

    def _previous_versions(
        self, docs: list[StoredDocument]
    ) -> dict[str, tuple[StoredDocument, bool]]:
        """The stored version of each document, and whether it awaits incident placement."""
        found = self.client.mget(index=self.documents, ids=list({doc.id: None for doc in docs}))
        return {
            d["_id"]: (
                stored_document(d["_source"]),
                bool(d["_source"].get("incident_pending", True)),
            )
            for d in found["docs"]
            if d.get("found")
        }

    def _bulk_documents(self, written: list[tuple[StoredDocument, bool]]) -> set[str]:
        """Bulk-index documents (as written, with their pending flag) and their fetch
        times; returns the ids that failed."""
        actions: list[dict[str, Any]] = []
        for doc, pending in written:
            body = document_body(doc, pending=pending)
            actions.append({"_index": self.documents, "_id": doc.id, "_source": body})
            for url in {doc.url, doc.fetched_url or doc.url}:
                actions.append(
                    {
                        "_index": self.fetches,
                        "_id": document_id(url),
                        "_source": fetch_body(url, doc.fetched_at),
                    }
                )
        failed: set[str] = set()
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            max_retries=3,
            initial_backoff=1,
            raise_on_error=False,
            raise_on_exception=False,
            chunk_size=500,
        ):
            result = item.get("index", {})
            if not ok and str(result.get("_index", "")).startswith(self.documents):
                failed.add(result.get("_id", ""))
        try:
            self.client.indices.refresh(index=[self.documents, self.fetches])
        except (TransportError, ApiError) as error:  # written all the same; visible a bit later
            logger.warning("Elasticsearch refresh failed: %s", reason(error))
        return failed

    def _before_read(self) -> None:
        self._ensure_ready()
        self._flush_incidents()

    def _ensure_ready(self) -> None:
        if not self._ready:
            self._prepare()

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
            # Stores made before incremental incidents lack the field; adding one is allowed.
            self.client.indices.put_mapping(
                index=self.documents, properties={"incident_pending": {"type": "boolean"}}
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

    def _hit(self, hit: dict[str, Any], terms: list[str]) -> Hit:
        doc = stored_document(hit["_source"])
        snippet, highlights = make_snippet(doc.text or doc.title, terms)
        score = hit.get("_score") or 0.0
        return Hit(document=doc, score=float(score), snippet=snippet, highlights=highlights)

    def _errors(self) -> Translate:
        return Translate(self.urls)


def planned_writes(
    docs: list[StoredDocument], stored: Mapping[str, tuple[StoredDocument, bool]]
) -> tuple[list[UpsertOutcome], list[tuple[StoredDocument, bool]]]:
    """Each document's outcome, and the version to write with its pending flag.

    In order, as SQLite writes a batch: a document written twice in one batch is
    ``new`` and then ``updated`` (or ``unchanged``), its second version merged over
    its first.
    """
    previous = dict(stored)
    outcomes: list[UpsertOutcome] = []
    written: list[tuple[StoredDocument, bool]] = []
    for doc in docs:
        old, old_pending = previous.get(doc.id, (None, True))
        if old is None:
            outcomes.append("new")
        else:
            outcomes.append("unchanged" if old.content_key() == doc.content_key() else "updated")
        incident_id, pending = placement(doc, old, old_pending)
        # ``urls`` is kept in _source, not mapped: no index version change for it.
        merged = replace(doc, incident_id=incident_id, urls=merged_urls(doc, old))
        previous[doc.id] = (merged, pending)
        written.append((merged, pending))
    return outcomes, written


def _pending(hit: Mapping[str, Any]) -> bool:
    """Whether a stored document awaits incident placement (older stores lack the flag)."""
    return bool(hit["_source"].get("incident_pending", True))
