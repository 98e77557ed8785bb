"""What only the Elasticsearch store has: the spool, reindexing behind an alias, health.

The unreachable cases point at a closed port on 127.0.0.1 and need no node; the rest
run against a real node at ``HOTWATCH_ES_URL``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from index import SearchQuery, StoredDocument, StoreUnavailable
from index.elasticsearch import ElasticsearchStore

ES_URL = os.environ.get("HOTWATCH_ES_URL")
needs_node = pytest.mark.elasticsearch
IMMENSE = "长" * 12000  # 36,000 UTF-8 bytes: over Lucene's 32,766-byte limit for one keyword


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def article(n: int, **fields) -> StoredDocument:
    fields.setdefault("source", "news-a")
    return StoredDocument(
        url=f"https://news.example.cn/spool/{n}.html",
        title=f"第{n}条 12345热线打不通",
        text=f"市民第{n}次反映市长热线无人接听。",
        fetched_at=datetime(2026, 11, 20, 8, n % 60),
        relevant=True,
        hotlines=["12345"],
        **fields,
    )


def open_es(url: str, prefix: str, data_dir: Path) -> ElasticsearchStore:
    options = {"urls": [url], "index_prefix": prefix, "replicas": 0, "timeout": 5}
    return ElasticsearchStore.from_options(options, data_dir=data_dir)


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"store-{uuid.uuid4().hex[:10]}-"
    yield name
    if ES_URL:
        cleanup = open_es(ES_URL, name, Path("/nonexistent"))
        cleanup.client.indices.delete(index=f"{name}*", allow_no_indices=True)
        cleanup.client.close()


@pytest.fixture
def node_url() -> str:
    if not ES_URL:
        pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
    return ES_URL


def test_unreachable_cluster_spools_documents_with_a_warning(tmp_path, prefix, caplog):
    url = closed_port_url()
    with caplog.at_level(logging.WARNING, logger="index.elasticsearch"):
        store = open_es(url, prefix, tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(url in w and "es-spool" in w for w in warnings), warnings
    assert all("\n" not in w for w in warnings)

    assert store.upsert_many([article(1), article(2), article(3)]) == ["spooled"] * 3
    spool_files = list((tmp_path / "es-spool").glob("*.jsonl"))
    assert len(spool_files) == 1
    assert len(spool_files[0].read_text(encoding="utf-8").splitlines()) == 3
    assert store.spooled() == 3
    store.close()


def test_reads_on_an_unreachable_cluster_name_the_url(tmp_path, prefix):
    url = closed_port_url()
    store = open_es(url, prefix, tmp_path)
    with pytest.raises(StoreUnavailable, match=url) as search_error:
        store.search(SearchQuery(text="热线"))
    assert "\n" not in str(search_error.value)
    with pytest.raises(StoreUnavailable, match=url):
        store.get(article(1).id)
    with pytest.raises(StoreUnavailable, match=url):
        store.flush_spool()
    health = store.health()
    assert health["status"] == "unreachable" and url in health["error"]
    store.close()


@needs_node
def test_spool_flushes_into_the_node_with_exact_counts(tmp_path, prefix, node_url):
    offline = open_es(closed_port_url(), prefix, tmp_path)
    docs = [article(n) for n in range(1, 8)]
    assert offline.upsert_many(docs) == ["spooled"] * 7
    offline.close()

    online = open_es(node_url, prefix, tmp_path)  # opening replays the spool
    assert online.spooled() == 0
    assert not list((tmp_path / "es-spool").glob("*.jsonl"))
    assert online.stats()["documents"] == 7
    assert online.search(SearchQuery(text="打不通", limit=3)).total == 7
    assert _collected(online.get(docs[3].id)) == _collected(docs[3])
    assert online.upsert_many(docs) == ["unchanged"] * 7
    online.close()


@needs_node
def test_partial_failures_keep_only_the_failed_documents(tmp_path, prefix, node_url):
    offline = open_es(closed_port_url(), prefix, tmp_path)
    rejected = article(3, source=IMMENSE)
    assert offline.upsert_many([article(1), article(2), rejected]) == ["spooled"] * 3
    offline.close()

    online = open_es(node_url, prefix, tmp_path)
    assert online.spooled() == 1
    assert [record["id"] for record in online.spool.read()] == [rejected.id]
    assert online.stats()["documents"] == 2

    outcomes = online.upsert_many([article(4), rejected, article(5)])
    assert outcomes == ["new", "spooled", "new"]
    assert online.spooled() == 2
    assert online.flush_spool() == 0
    assert online.spooled() == 2
    assert online.stats()["documents"] == 4
    online.close()


@needs_node
def test_reindex_keeps_every_document_and_swaps_the_alias_under_searches(
    tmp_path, prefix, node_url
):
    store = open_es(node_url, prefix, tmp_path)
    docs = [article(n) for n in range(1, 301)]
    store.upsert_many(docs)
    answers: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def keep_searching() -> None:
        searcher = open_es(node_url, prefix, tmp_path)
        while not done.is_set():
            try:
                answers.append(searcher.search(SearchQuery(text="热线", limit=1)).total)
            except StoreUnavailable as error:
                errors.append(error)
        searcher.client.close()

    worker = threading.Thread(target=keep_searching)
    worker.start()
    try:
        old, new = store.reindex()
        old_again, newer = store.reindex()
    finally:
        done.set()
        worker.join()

    assert (old, new) == (f"{prefix}documents-v1", f"{prefix}documents-v2")
    assert (old_again, newer) == (new, f"{prefix}documents-v3")
    assert not errors
    assert answers and set(answers) == {300}
    assert list(store.client.indices.get_alias(name=f"{prefix}documents")) == [newer]
    assert not store.client.indices.exists(index=old)
    assert store.stats()["documents"] == 300
    assert _collected(store.get(docs[150].id)) == _collected(docs[150])
    assert store.upsert(docs[0]) == "unchanged"
    store.close()


@needs_node
def test_health_and_stats(tmp_path, prefix, node_url):
    store = open_es(node_url, prefix, tmp_path)
    store.upsert_many([article(1), article(2, source="news-b"), article(3, source="news-b")])
    health = store.health()
    assert health["status"] in {"green", "yellow"}
    assert health["nodes"] >= 1
    assert health["indices"][f"{prefix}documents"] == {
        "index": f"{prefix}documents-v1",
        "documents": 3,
    }
    assert health["indices"][f"{prefix}incidents"]["documents"] == 0
    assert health["spooled"] == 0
    stats = store.stats()
    assert stats["backend"] == "elasticsearch"
    assert stats["urls"] == [node_url]
    assert (stats["documents"], stats["relevant"], stats["spooled"]) == (3, 3, 0)
    assert stats["sources"] == {"news-a": 1, "news-b": 2}
    store.close()


def _collected(doc):  # type: ignore[no-untyped-def]
    """The document as collected: replay places it in an incident and records its URLs."""
    return replace(doc, incident_id=None, urls=[])
