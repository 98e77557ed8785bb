"""``hotwatch index status|flush|reindex|copy`` and ``index.copy``, on real stores.

SQLite-only behaviour runs everywhere; the Elasticsearch round trip needs a node at
``HOTWATCH_ES_URL`` and uses an index prefix of its own, deleted afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.api.incidents import update_incidents
from hotwatch.cli import cli
from index import SearchQuery, StoredDocument, open_store
from index.copy import copy_store
from index.sqlite import SQLiteStore

START = datetime(2021, 4, 1, 8, 0, tzinfo=UTC)
PLACES = (("河南省", "新乡市"), ("广东省", "广州市"), ("浙江省", "杭州市"))
FAILURES = (
    ("rudeness", "接线员骂人", "市民拨打12345热线反映问题，接线员忘记挂电话骂人，态度恶劣。"),
    ("unreachable", "热线打不通", "多名市民反映12345热线一直打不通，无人接听。"),
    ("buck_passing", "部门互相推诿", "市民投诉被12345热线转给多个部门，互相推诿。"),
)
DOCUMENTS = 45
QUERIES = (
    SearchQuery(text="12345", sort="time", limit=100),
    SearchQuery(text="骂人", sort="time", limit=100),
    SearchQuery(text="打不通 OR 推诿", regions=("新乡市",), sort="time", limit=100),
    SearchQuery(relevant_only=False, sort="time", limit=100),
    SearchQuery(categories=("unreachable",), sort="time", limit=100),
)
CLEAN_ENVIRONMENT = {
    name: None
    for name in (
        "HOTWATCH_CONFIG",
        "HOTWATCH_DATA_DIR",
        "HOTWATCH_INDEX",
        "HOTWATCH_ES_URL",
        "HOTWATCH_ES_INDEX_PREFIX",
        "HOTWATCH_ES_API_KEY",
        "HOTWATCH_ES_USERNAME",
        "HOTWATCH_ES_PASSWORD",
    )
}


def documents(n: int) -> list[StoredDocument]:
    """Two thirds hotline failures in three cities (an incident per city and kind), the rest not."""
    docs = []
    for i in range(n):
        province, city = PLACES[i % len(PLACES)]
        published = START + timedelta(hours=7 * i)
        if i % 3:
            category, phrase, text = FAILURES[(i // 3) % len(FAILURES)]
            fields = dict(
                title=f"{city}{phrase}（{i}）",
                text=f"{province}{city}{text}",
                relevant=True,
                relevance=0.8,
                hotlines=["12345"],
                categories=[category],
            )
        else:
            fields = dict(
                title=f"{city}春季花展开幕（{i}）", text=f"{city}春季花展开幕，市民踏青赏花。"
            )
        docs.append(
            StoredDocument(
                url=f"http://news.test/{i}.html",
                fetched_url=f"http://m.news.test/{i}.html" if i % 5 == 0 else None,
                fetched_at=published + timedelta(hours=1),
                published_at=published,
                source=("rss", "site")[i % 2],
                outlet=f"{city[:-1]}日报",
                negativity=round((i % 10) / 10, 1),
                regions=[{"province": province, "city": city}],
                **fields,
            )
        )
    return docs


def fill_sqlite(data_dir: Path) -> None:
    store = SQLiteStore(data_dir / "hotwatch.db")
    try:
        store.upsert_many(documents(DOCUMENTS))
        # A revisit found document 5 unchanged: its fetch time moved on, its record did not.
        store.record_fetch("http://news.test/5.html", START + timedelta(days=30))
        update_incidents(store, now=START + timedelta(days=40))
    finally:
        store.close()


def config_file(tmp: Path, backend: str, urls: str = "", index_prefix: str = "") -> Path:
    lines = [f'backend = "{backend}"']
    if urls:
        lines.append(f'urls = ["{urls}"]')
    if index_prefix:
        lines.append(f'index_prefix = "{index_prefix}"')
    path = tmp / f"hotwatch-{backend}.toml"
    path.write_text("[index]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def hotwatch(config: Path, data_dir: Path, *args: str):
    return CliRunner().invoke(
        cli,
        ["--config", str(config), "--data-dir", str(data_dir), *args],
        env=CLEAN_ENVIRONMENT,
    )


def search_ids(store, query: SearchQuery) -> tuple[int, list[str]]:
    result = store.search(query)
    return result.total, [hit.document.id for hit in result.hits]


def free_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- index.copy between two SQLite stores ---------------------------------------------


def test_copy_store_carries_documents_fetch_times_and_incidents_and_is_idempotent(tmp_path):
    fill_sqlite(tmp_path / "a")
    source = SQLiteStore(tmp_path / "a" / "hotwatch.db")
    target = SQLiteStore(tmp_path / "b" / "hotwatch.db")
    try:
        first = copy_store(source, target, batch_size=7)
        second = copy_store(source, target, batch_size=7)
        assert first.documents == second.documents == DOCUMENTS
        assert first.outcomes["new"] == DOCUMENTS
        assert second.outcomes["unchanged"] == DOCUMENTS and second.outcomes["new"] == 0
        assert first.fetches == 1  # only document 5's later revisit differs from its record
        assert target.stats()["documents"] == DOCUMENTS
        incidents = source.list_incidents(limit=1000)
        assert incidents and first.incidents == second.incidents == len(incidents)
        assert target.list_incidents(limit=1000) == incidents
        assert [d.to_json() for d in target.iter_documents()] == [
            d.to_json() for d in source.iter_documents()
        ]
        assert target.last_fetched("http://news.test/5.html") == START + timedelta(days=30)
        assert target.last_fetched("http://m.news.test/10.html") == source.last_fetched(
            "http://m.news.test/10.html"
        )
        for query in QUERIES:
            assert search_ids(target, query) == search_ids(source, query)
    finally:
        source.close()
        target.close()


def test_copy_into_a_store_with_other_documents_adds_only_the_new_ones(tmp_path):
    fill_sqlite(tmp_path / "a")
    target = SQLiteStore(tmp_path / "b" / "hotwatch.db")
    target.upsert_many(
        documents(10)
        + [
            StoredDocument(
                url="http://other.test/1", title="另一篇", text="其他内容", fetched_at=START
            )
        ]
    )
    source = SQLiteStore(tmp_path / "a" / "hotwatch.db")
    try:
        report = copy_store(source, target)
        assert report.outcomes["new"] == DOCUMENTS - 10
        assert report.target_documents == DOCUMENTS + 1
    finally:
        source.close()
        target.close()


# -- the CLI on SQLite -----------------------------------------------------------------


def test_status_of_a_sqlite_store(tmp_path):
    fill_sqlite(tmp_path)
    result = hotwatch(config_file(tmp_path, "sqlite"), tmp_path, "index", "status", "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["backend"] == "sqlite"
    assert status["documents"] == DOCUMENTS
    assert status["relevant"] == DOCUMENTS - DOCUMENTS // 3
    assert status["incidents"] > 0
    human = hotwatch(config_file(tmp_path, "sqlite"), tmp_path, "index", "status")
    assert human.exit_code == 0
    assert f"documents       {DOCUMENTS}" in human.stdout.splitlines()


def test_reindex_of_a_sqlite_store_rebuilds_its_search_index_with_the_same_answers(tmp_path):
    fill_sqlite(tmp_path)
    store = SQLiteStore(tmp_path / "hotwatch.db")
    before = [search_ids(store, query) for query in QUERIES]
    store.close()
    result = hotwatch(config_file(tmp_path, "sqlite"), tmp_path, "index", "reindex")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"reindexed hotwatch.tantivy ({DOCUMENTS} entries) -> "
        f"hotwatch.tantivy ({DOCUMENTS} documents)\n"
    )
    store = SQLiteStore(tmp_path / "hotwatch.db")
    try:
        assert [search_ids(store, query) for query in QUERIES] == before
        assert store.search_index.num_docs() == DOCUMENTS
    finally:
        store.close()


@pytest.mark.parametrize("command", ["flush"])
def test_elasticsearch_only_commands_refuse_sqlite_in_one_line(tmp_path, command):
    result = hotwatch(config_file(tmp_path, "sqlite"), tmp_path, "index", command)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: index {command} needs the elasticsearch backend (this store is sqlite)\n"
    )


def test_copy_between_the_same_backend_is_refused(tmp_path):
    result = hotwatch(
        config_file(tmp_path, "sqlite"),
        tmp_path,
        "index",
        "copy",
        "--from",
        "sqlite",
        "--to",
        "sqlite",
    )
    assert result.exit_code == 2
    assert "Error: --from and --to are both sqlite: nothing to copy" in result.output


@pytest.mark.parametrize(
    ("flag", "value"), [("--from", "mysql"), ("--to", "solr")], ids=["from", "to"]
)
def test_copy_names_only_known_backends(tmp_path, flag, value):
    args = {"--from": "sqlite", "--to": "elasticsearch", flag: value}
    result = hotwatch(
        config_file(tmp_path, "sqlite"),
        tmp_path,
        "index",
        "copy",
        *[x for kv in args.items() for x in kv],
    )
    assert result.exit_code == 2
    assert f"Invalid value for '{flag}': '{value}' is not one of 'sqlite', 'elasticsearch'" in (
        result.output
    )


def test_copy_to_elasticsearch_without_urls_is_a_one_line_error(tmp_path):
    fill_sqlite(tmp_path)
    result = hotwatch(
        config_file(tmp_path, "sqlite"),
        tmp_path,
        "index",
        "copy",
        "--from",
        "sqlite",
        "--to",
        "elasticsearch",
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: the elasticsearch backend needs urls in [index] (or HOTWATCH_ES_URL)\n"
    )


def test_a_bad_backend_in_the_configuration_is_a_one_line_error(tmp_path):
    result = hotwatch(config_file(tmp_path, "mongodb"), tmp_path, "index", "status")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "backend must be sqlite or elasticsearch, not 'mongodb'" in result.output


# -- an unreachable cluster ------------------------------------------------------------


def test_flush_with_the_cluster_unreachable_is_a_one_line_error(tmp_path):
    config = config_file(tmp_path, "elasticsearch", urls=f"http://127.0.0.1:{free_port()}")
    result = hotwatch(config, tmp_path, "index", "flush")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_copy_into_an_unreachable_cluster_keeps_the_documents_and_says_so(tmp_path):
    fill_sqlite(tmp_path)
    config = config_file(tmp_path, "elasticsearch", urls=f"http://127.0.0.1:{free_port()}")
    result = hotwatch(
        config, tmp_path, "index", "copy", "--from", "sqlite", "--to", "elasticsearch"
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    store = SQLiteStore(tmp_path / "hotwatch.db")
    try:
        assert store.stats()["documents"] == DOCUMENTS
    finally:
        store.close()


# -- the Elasticsearch round trip ------------------------------------------------------


@pytest.fixture
def es_url():
    url = os.environ.get("HOTWATCH_ES_URL", "").split(",")[0].strip()
    if not url:
        pytest.skip("HOTWATCH_ES_URL is not set (start a node: scripts/elasticsearch.sh start)")
    return url


@pytest.fixture
def es_prefix(es_url):
    from elasticsearch import Elasticsearch

    prefix = f"hw-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = Elasticsearch(es_url, request_timeout=30)
    try:
        client.indices.delete(index=f"{prefix}*", ignore_unavailable=True, allow_no_indices=True)
    finally:
        client.close()


@pytest.mark.elasticsearch
def test_copy_sqlite_to_elasticsearch_and_back_keeps_every_document_and_search(
    tmp_path, es_url, es_prefix
):
    first, second = tmp_path / "first", tmp_path / "second"
    fill_sqlite(first)
    config = config_file(tmp_path, "elasticsearch", urls=es_url, index_prefix=es_prefix)
    out = hotwatch(
        config, first, "index", "copy", "--from", "sqlite", "--to", "elasticsearch", "--json"
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert (report["documents"], report["new"], report["target_documents"]) == (
        DOCUMENTS,
        DOCUMENTS,
        DOCUMENTS,
    )
    again = json.loads(
        hotwatch(
            config, first, "index", "copy", "--from", "sqlite", "--to", "elasticsearch", "--json"
        ).stdout
    )
    assert (again["new"], again["unchanged"], again["target_documents"]) == (
        0,
        DOCUMENTS,
        DOCUMENTS,
    )

    status = json.loads(hotwatch(config, first, "index", "status", "--json").stdout)
    assert status["backend"] == "elasticsearch"
    assert status["documents"] == DOCUMENTS
    assert status["incidents"] == report["incidents"] > 0
    assert status["spooled"] == 0

    back = hotwatch(
        config, second, "index", "copy", "--from", "elasticsearch", "--to", "sqlite", "--json"
    )
    assert back.exit_code == 0, back.output
    assert json.loads(back.stdout)["target_documents"] == DOCUMENTS

    original = SQLiteStore(first / "hotwatch.db")
    returned = SQLiteStore(second / "hotwatch.db")
    elastic = open_store(
        {"backend": "elasticsearch", "urls": [es_url], "index_prefix": es_prefix}, first
    )
    try:
        assert [d.to_json() for d in returned.iter_documents()] == [
            d.to_json() for d in original.iter_documents()
        ]
        assert returned.list_incidents(limit=1000) == original.list_incidents(limit=1000)
        for query in QUERIES:
            assert search_ids(returned, query) == search_ids(original, query)
            assert search_ids(elastic, query) == search_ids(original, query)
    finally:
        for store in (original, returned, elastic):
            store.close()


@pytest.mark.elasticsearch
def test_reindex_keeps_every_document_and_flush_reports_an_empty_spool(tmp_path, es_url, es_prefix):
    fill_sqlite(tmp_path)
    config = config_file(tmp_path, "elasticsearch", urls=es_url, index_prefix=es_prefix)
    copied = hotwatch(
        config, tmp_path, "index", "copy", "--from", "sqlite", "--to", "elasticsearch"
    )
    assert copied.exit_code == 0, copied.output
    result = hotwatch(config, tmp_path, "index", "reindex")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("reindexed ")
    status = json.loads(hotwatch(config, tmp_path, "index", "status", "--json").stdout)
    assert status["documents"] == DOCUMENTS
    flushed = hotwatch(config, tmp_path, "index", "flush")
    assert flushed.exit_code == 0, flushed.output
    assert flushed.output == "flushed 0 spooled document(s); 0 still spooled\n"


def test_reanalyse_recomputes_every_document_and_keeps_the_store_consistent(tmp_path):
    data_dir = tmp_path / "data"
    fill_sqlite(data_dir)
    config = config_file(tmp_path, "sqlite")
    result = hotwatch(config, data_dir, "index", "reanalyse", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["documents"] == DOCUMENTS
    assert hotwatch(config, data_dir, "doctor").exit_code == 0
