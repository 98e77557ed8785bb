"""Several workers on one shared frontier (a real redis-server) into one real
Elasticsearch store, each a real ``hotwatch`` process crawling a loopback site.

Each article must be fetched once and stored once with two workers, and stored exactly
once, none missing, when a worker is killed with SIGKILL mid-crawl and another takes over.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest
from redis import Redis

from crawler.frontier.keys import FrontierKeys
from hotwatch.demo.synthetic import synthetic_site
from index import open_store
from tests.counting_site import CountingSite
from tests.frontier_processes import finish, hotwatch, wait_until
from tests.redis_fixtures import queue_prefix, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.elasticsearch, pytest.mark.redis]
ARTICLES = 400
CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 10
autothrottle = false
analysis_workers = 0

[index]
backend = "elasticsearch"
urls = ["{es}"]
index_prefix = "{index_prefix}"

[queue]
url = "{redis}"
prefix = "{prefix}"
visibility_timeout = {visibility}
heartbeat = 1

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{start}"]
"""


@pytest.fixture
def es_url() -> str:
    url = os.environ.get("HOTWATCH_ES_URL", "").split(",")[0]
    if not url:
        pytest.skip("needs a real Elasticsearch node at HOTWATCH_ES_URL")
    return url


def write_config(tmp: Path, es: str, redis: str, prefix: str, start: str, visibility: int) -> Path:
    path = tmp / "hotwatch.toml"
    path.write_text(
        CONFIG.format(
            es=es, redis=redis, prefix=prefix, start=start, visibility=visibility,
            index_prefix=f"hw-frontier-{uuid.uuid4().hex[:6]}",
        ),
        encoding="utf-8",
    )
    return path


def stored_urls(config: Path, es: str, index_prefix: str) -> list[str]:
    store = open_store({"backend": "elasticsearch", "urls": [es], "index_prefix": index_prefix},
                       config.parent / "check")
    try:
        return [doc.url for doc in store.iter_documents()]
    finally:
        store.close()


def index_prefix_of(config: Path) -> str:
    line = next(x for x in config.read_text().splitlines() if x.startswith("index_prefix"))
    return line.split('"')[1]


def test_two_workers_fetch_and_store_each_article_once(
    tmp_path, es_url, redis_url, queue_prefix  # noqa: F811
):
    server, keys = Redis.from_url(redis_url), FrontierKeys(queue_prefix)
    with CountingSite(synthetic_site(ARTICLES)) as site:
        config = write_config(tmp_path, es_url, redis_url, queue_prefix,
                              f"{site.url}/news/index.html", visibility=60)
        seeding = hotwatch(config, "a", "crawl", "--json")
        wait_until(lambda: server.hlen(keys.sources) == 1 and server.zcard(keys.articles("synthetic")))
        worker = hotwatch(config, "b", "worker", "--concurrency", "8", "--json")
        first, second = finish(seeding), finish(worker)
        requests = dict(site.requests)
        articles = site.article_paths()

    fetched = {path: n for path, n in requests.items() if path in articles}
    assert len(articles) == ARTICLES
    assert set(fetched) == articles  # every article fetched ...
    assert set(fetched.values()) == {1}  # ... once, by one worker or the other
    (a,), (b,) = first["sources"], second["sources"]
    assert a["fetched"] > 0 and b["fetched"] > 0  # both took a share
    assert a["fetched"] + b["fetched"] == ARTICLES
    assert a["new"] + b["new"] == ARTICLES
    urls = stored_urls(config, es_url, index_prefix_of(config))
    assert len(urls) == len(set(urls)) == ARTICLES
    status = finish(hotwatch(config, "a", "queue", "status", "--json"))
    assert status["sources"] == [
        {"name": "synthetic", "pending": 0, "in_flight": 0, "seen": ARTICLES}
    ]
    assert len(status["workers"]) == 2 and not any(w["alive"] for w in status["workers"])
    assert sum(w["fetched"] for w in status["workers"]) == ARTICLES
    # Incidents placed by two writers in turn: nothing unplaced, no count astray.
    doctor = hotwatch(config, "a", "doctor")
    out, err = doctor.communicate(timeout=300)
    assert doctor.returncode == 0, out + err


def test_a_worker_killed_mid_crawl_loses_nothing_and_stores_nothing_twice(
    tmp_path, es_url, redis_url, queue_prefix  # noqa: F811
):
    server, keys = Redis.from_url(redis_url), FrontierKeys(queue_prefix)
    with CountingSite(synthetic_site(ARTICLES)) as site:
        config = write_config(tmp_path, es_url, redis_url, queue_prefix,
                              f"{site.url}/news/index.html", visibility=5)
        seeding = hotwatch(config, "a", "crawl", "--json")
        wait_until(lambda: sum(site.requests[p] for p in site.article_paths()) >= 60)
        seeding.send_signal(signal.SIGKILL)
        seeding.communicate()
        assert server.zcard(keys.requests("synthetic")) + server.zcard(keys.leases("synthetic"))
        worker = hotwatch(config, "b", "worker", "--json")
        finish(worker)
        articles = site.article_paths()
        fetched = {path for path, n in site.requests.items() if path in articles and n}

    assert fetched == articles
    urls = stored_urls(config, es_url, index_prefix_of(config))
    assert len(urls) == len(set(urls)) == ARTICLES
    assert server.zcard(keys.requests("synthetic")) == server.zcard(keys.leases("synthetic")) == 0
