"""Smoke test of the node that ``scripts/elasticsearch.sh start`` runs (at ``HOTWATCH_ES_URL``)."""

from __future__ import annotations

import os
import uuid

import pytest

pytestmark = pytest.mark.elasticsearch

TEXT = "12345热线接线员骂人"


@pytest.fixture(scope="module")
def es():
    url = os.environ.get("HOTWATCH_ES_URL", "").split(",")[0].strip()
    if not url:
        pytest.skip("HOTWATCH_ES_URL is not set (start a node: scripts/elasticsearch.sh start)")
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=30)
    yield client
    client.close()


def tokens(es, **request) -> list[str]:
    return [t["token"] for t in es.indices.analyze(text=TEXT, **request)["tokens"]]


def test_version_is_8(es):
    assert es.info()["version"]["number"].startswith("8.")


def test_cjk_analyzer_makes_bigrams(es):
    assert tokens(es, analyzer="cjk") == ["12345", "热线", "线接", "接线", "线员", "员骂", "骂人"]


def test_smartcn_analyzer_segments_words(es):
    assert tokens(es, analyzer="smartcn") == ["12345", "热线", "接线员", "骂", "人"]


def test_index_and_search_with_cjk(es):
    index = f"hotwatch-smoke-{uuid.uuid4().hex[:8]}"
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={"properties": {"body": {"type": "text", "analyzer": "cjk"}}},
    )
    try:
        es.index(index=index, id="1", document={"body": TEXT}, refresh=True)
        es.index(index=index, id="2", document={"body": "市民投诉噪音"}, refresh=True)
        hits = es.search(index=index, query={"match_phrase": {"body": "接线员"}})["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["1"]
    finally:
        es.indices.delete(index=index)
