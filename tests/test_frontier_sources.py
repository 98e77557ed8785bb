"""A ``--forever`` worker takes up a source registered in the frontier after it started:
real ``hotwatch`` processes, a real redis-server, two loopback sites, one SQLite store."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from redis import Redis

from crawler.frontier.keys import FrontierKeys
from hotwatch.demo.synthetic import synthetic_site
from index import open_store
from tests.counting_site import CountingSite
from tests.frontier_processes import finish, hotwatch, wait_until
from tests.redis_fixtures import queue_prefix, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis
CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 10
autothrottle = false
analysis_workers = 0
concurrency_per_domain = 1

[queue]
url = "{redis}"
prefix = "{prefix}"
heartbeat = 1

[[sources]]
name = "{name}"
type = "site"
start_urls = ["{start}"]
"""


def write_config(path: Path, name: str, site: CountingSite, redis: str, prefix: str) -> Path:
    path.write_text(CONFIG.format(redis=redis, prefix=prefix, name=name,
                                  start=f"{site.url}/news/index.html"), encoding="utf-8")
    return path


def article_fetches(site: CountingSite) -> dict[str, int]:
    return {path: site.requests[path] for path in site.article_paths()}


def test_a_forever_worker_crawls_a_source_registered_after_it_started(
    tmp_path, redis_url, queue_prefix  # noqa: F811
):
    server, keys = Redis.from_url(redis_url), FrontierKeys(queue_prefix)
    with (CountingSite(synthetic_site(20)) as first,
          CountingSite(synthetic_site(80), delay=0.05) as second):
        first_config = write_config(tmp_path / "first.toml", "first", first, redis_url,
                                    queue_prefix)
        second_config = write_config(tmp_path / "second.toml", "second", second, redis_url,
                                     queue_prefix)
        finish(hotwatch(first_config, "data", "crawl", "--json"))
        worker = hotwatch(first_config, "data", "worker", "--forever", "--json")
        try:
            def waiting() -> bool:
                beats = [json.loads(raw) for raw in server.hvals(keys.workers)]
                return any(b["state"] == "crawling" and b["source"] == "first" for b in beats)

            wait_until(waiting, timeout=60)
            # A seeding crawl of a source the worker was never told of (its configuration has
            # only "first"), stopped by SIGTERM once it read the last list page: the articles
            # it queued but did not take are left to the worker.
            seeding_process = hotwatch(second_config, "data", "crawl", "--json")
            wait_until(lambda: second.requests["/news/index_4.html"] > 0)
            seeding_process.send_signal(signal.SIGTERM)
            (seeded,) = finish(seeding_process)["sources"]
            wait_until(lambda: min(article_fetches(second).values()) > 0)
            assert worker.poll() is None
            worker.send_signal(signal.SIGTERM)
            stopped = finish(worker, timeout=120)
            fetches = article_fetches(second)
        finally:
            if worker.poll() is None:  # failed before its SIGTERM
                worker.kill()
                worker.wait()

    by_source = {summary["name"]: summary for summary in stopped["sources"]}
    assert sorted(by_source) == ["first", "second"]
    assert seeded["fetched"] < 80
    assert by_source["second"]["fetched"] == 80 - seeded["fetched"]  # the rest: the worker's
    assert by_source["second"]["new"] + seeded["new"] == 80
    assert set(fetches.values()) == {1}  # each article once, whichever process took it
    store = open_store({"backend": "sqlite"}, tmp_path / "data")
    try:
        urls = [doc.url for doc in store.iter_documents()]
    finally:
        store.close()
    assert len(urls) == len(set(urls)) == 100
    assert server.zcard(keys.requests("second")) == server.zcard(keys.leases("second")) == 0
