"""A real crawl of one site into SQLite and into a real node answers every query alike,
before and after ``index reindex`` and ``index copy`` in both directions.

The crawls run the real ``hotwatch`` CLI in child processes (Scrapy's reactor runs
once per process); both stores then answer text, relevant-only, phrase, OR and NOT
queries with the same totals and the same documents.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import SearchQuery, Store, open_store
from tests.site_server import site_url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.elasticsearch
ES_URL = os.environ.get("HOTWATCH_ES_URL")
CONFIG = """
[crawl]
download_timeout = 5
autothrottle = false
retry_times = 0

[index]
backend = "{backend}"
urls = ["{url}"]
index_prefix = "{prefix}"
replicas = 0

[[sources]]
name = "fixture-site"
type = "site"
start_urls = ["{start}"]
tier = 3
"""
QUERIES = (
    "12345",
    "热线",
    '"12345热线"',
    "市民 NOT 12345",
    "12345 NOT 推诿",
    "(骂 OR 辱骂 OR 态度恶劣) AND 热线",
    "打不通 OR 推诿",
    "接线员",
    "骂",
)


def answers(store: Store) -> dict[str, tuple[int, list[str]]]:
    """(total, sorted ids) per query, relevant-only and over every document."""
    found = {}
    for text in QUERIES:
        for relevant_only in (True, False):
            result = store.search(
                SearchQuery(text=text, relevant_only=relevant_only, limit=500, sort="time")
            )
            ids = sorted(hit.document.id for hit in result.hits)
            found[f"{'' if relevant_only else '--all '}{text}"] = (result.total, ids)
    return found


@pytest.fixture
def prefixes() -> Iterator[list[str]]:
    if not ES_URL:
        pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
    made: list[str] = []
    yield made
    from elasticsearch import Elasticsearch

    client = Elasticsearch(ES_URL)
    for prefix in made:
        client.indices.delete(index=f"{prefix}*", allow_no_indices=True)
    client.close()


def write_config(directory: Path, backend: str, prefix: str, start: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"hotwatch-{backend}-{prefix}.toml"
    text = CONFIG.format(backend=backend, url=ES_URL, prefix=prefix, start=start)
    path.write_text(text, encoding="utf-8")
    return path


def hotwatch(config: Path, data_dir: Path, *args: str) -> str:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("HOTWATCH_ES_", "HOTWATCH_INDEX"))
    }
    command = [sys.executable, "-m", "hotwatch", "--config", str(config)]
    command += ["--data-dir", str(data_dir), *args]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def es_store(prefix: str, data_dir: Path) -> Store:
    options = {"backend": "elasticsearch", "urls": [ES_URL], "index_prefix": prefix}
    return open_store({**options, "replicas": 0}, data_dir)


def test_a_crawl_answers_alike_on_sqlite_and_elasticsearch_through_reindex_and_copies(
    tmp_path,
    prefixes,
    site_url,  # noqa: F811
):
    start = f"{site_url}/news/index.html"
    crawled_es, copied_es = (f"parity-{uuid.uuid4().hex[:8]}-{n}-" for n in (1, 2))
    prefixes.extend([crawled_es, copied_es])
    sqlite_dir, es_dir, copy_dir = tmp_path / "sqlite", tmp_path / "es", tmp_path / "copy"
    sqlite_config = write_config(tmp_path, "sqlite", crawled_es, start)
    es_config = write_config(tmp_path, "elasticsearch", crawled_es, start)
    hotwatch(sqlite_config, sqlite_dir, "crawl")
    hotwatch(es_config, es_dir, "crawl")

    sqlite = open_store({"backend": "sqlite"}, sqlite_dir)
    expected = answers(sqlite)
    sqlite.close()
    assert expected["--all 12345"][0] >= 7 and expected["12345"][0] >= 2

    def es_answers(prefix: str, data_dir: Path) -> dict[str, tuple[int, list[str]]]:
        store = es_store(prefix, data_dir)
        try:
            return answers(store)
        finally:
            store.close()

    assert es_answers(crawled_es, es_dir) == expected
    hotwatch(es_config, es_dir, "index", "reindex")
    assert es_answers(crawled_es, es_dir) == expected

    hotwatch(es_config, es_dir, "index", "copy", "--from", "elasticsearch", "--to", "sqlite")
    copied = open_store({"backend": "sqlite"}, es_dir)
    assert answers(copied) == expected
    copied.close()

    copy_config = write_config(copy_dir, "elasticsearch", copied_es, start)
    hotwatch(copy_config, sqlite_dir, "index", "copy", "--from", "sqlite", "--to", "elasticsearch")
    assert es_answers(copied_es, sqlite_dir) == expected
