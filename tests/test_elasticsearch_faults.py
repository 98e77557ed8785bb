"""A cluster that answers 429 (write queue full) and 503 (unavailable), through a loopback
proxy in front of a real node: writes are retried, then spooled, and nothing is lost."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from index import SearchQuery, StoredDocument
from index.elasticsearch import ElasticsearchStore
from tests.es_proxy import FaultyProxy

pytestmark = pytest.mark.elasticsearch
ES_URL = os.environ.get("HOTWATCH_ES_URL")


def article(n: int) -> StoredDocument:
    return StoredDocument(
        url=f"https://news.example.cn/faults/{n}.html",
        title=f"第{n}条 12345热线打不通",
        text=f"市民第{n}次反映市长热线无人接听，接线员态度恶劣。",
        fetched_at=datetime(2026, 11, 20, 8, n % 60),
        relevant=True,
        hotlines=["12345"],
    )


@pytest.fixture
def proxy() -> Iterator[FaultyProxy]:
    if not ES_URL:
        pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
    running = FaultyProxy(ES_URL)
    yield running
    running.close()


@pytest.fixture
def store(proxy, tmp_path) -> Iterator[ElasticsearchStore]:
    prefix = f"faults-{uuid.uuid4().hex[:10]}-"
    options = {"urls": [proxy.url], "index_prefix": prefix, "replicas": 0, "timeout": 10}
    opened = ElasticsearchStore.from_options(options, data_dir=tmp_path)
    yield opened
    proxy.heal()
    opened.client.indices.delete(index=f"{prefix}*", allow_no_indices=True)
    opened.close()


def found(store: ElasticsearchStore) -> int:
    return store.search(SearchQuery(text="打不通", limit=1)).total


@pytest.mark.parametrize("status", [429, 503])
def test_a_few_refusals_are_retried_and_every_document_arrives(store, proxy, status):
    proxy.fail("_bulk", status=status, times=2)
    docs = [article(n) for n in range(1, 41)]
    assert store.upsert_many(docs) == ["new"] * 40
    assert proxy.failed == {status: 2}
    assert store.spooled() == 0
    assert found(store) == 40


@pytest.mark.parametrize("status", [429, 503])
def test_lasting_refusals_spool_then_replay_loses_nothing(store, proxy, tmp_path, status):
    store.upsert_many([article(n) for n in range(1, 11)])
    proxy.fail("_bulk", status=status, times=None)
    later = [article(n) for n in range(11, 31)]
    assert store.upsert_many(later) == ["spooled"] * 20
    assert proxy.failed[status] >= 4  # the first try and three retries
    assert store.spooled() == 20
    assert len((Path(tmp_path) / "es-spool" / "spool.jsonl").read_text().splitlines()) == 20

    assert store.flush_spool() == 0  # still refused: the spool stays whole
    assert store.spooled() == 20

    proxy.heal()
    assert store.flush_spool() == 20
    assert store.spooled() == 0
    assert found(store) == 30
    assert _collected(store.get(later[7].id)) == _collected(later[7])


def test_refused_incident_assignments_keep_documents_searchable(store, proxy):
    docs = [article(n) for n in range(1, 6)]
    store.upsert_many(docs)
    proxy.fail("_bulk", status=429, times=2)
    for doc in docs:
        store.set_incident(doc.id, "inc-a")
    assert found(store) == 5  # the read writes the buffered assignments first
    assert store.search(SearchQuery(incident_id="inc-a")).total == 5
    assert proxy.failed == {429: 2}


def _collected(doc):  # type: ignore[no-untyped-def]
    """The document as collected: replay places it in an incident and records its URLs."""
    return replace(doc, incident_id=None, urls=[])
