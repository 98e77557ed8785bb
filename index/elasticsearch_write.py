"""Writing documents to the Elasticsearch store: outcomes in batch order, one bulk
request with their fetch times, and a local spool for what the cluster does not take.

Mixed into ``ElasticsearchStore`` (which provides the client, the aliases, readiness
and error handling); kept apart so each module stays about one thing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from elasticsearch import ApiError, TransportError, helpers

from index.elasticsearch_body import (
    document_body,
    document_source,
    fetch_body,
    reason,
    stored_document,
)
from index.errors import StoreUnavailable
from index.incidents import update_incidents
from index.records import StoredDocument, UpsertOutcome, document_id, merged_urls, placement
from index.spool import Spool

logger = logging.getLogger("index.elasticsearch")

DOWN_SECONDS = 30.0  # after a failed write, spool straight away for this long


class WriteMethods:
    """``upsert_many``, the spool and fetch times, for ``ElasticsearchStore``."""

    client: Any
    documents: str
    fetches: str
    spool: Spool
    _down_until: float

    def upsert(self, doc: StoredDocument) -> UpsertOutcome:
        return self.upsert_many([doc])[0]

    def upsert_many(self, docs: Iterable[StoredDocument]) -> list[UpsertOutcome]:
        """Index documents; the ones the cluster does not take are spooled ("spooled")."""
        docs = list(docs)
        outcomes, failed = self._write(docs)
        if failed:
            self.spool.append(document_source(doc) for doc in failed)
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
        self.spool.replace(document_source(doc) for doc in failed)
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
