"""Frontier workers as real ``hotwatch`` processes on a real redis-server, crawling a loopback
site into one SQLite data directory: a ``--forever`` worker stopped by SIGTERM, the
per-domain concurrency held across workers, Redis killed mid-crawl and started again,
and ``revisit_hours = 0`` fetching each article once per crawl.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from redis import Redis

from crawler.frontier.keys import FrontierKeys
from hotwatch.demo.synthetic import synthetic_site
from index import open_store
from tests.counting_site import CountingSite
from tests.frontier_processes import finish, hotwatch, wait_until
from tests.redis_fixtures import OwnRedis, own_redis, queue_prefix, redis_url  # noqa: F401

pytestmark = pytest.mark.redis
SOURCE = "synthetic"
CRAWL = """
[crawl]
revisit_hours = {revisit}
download_timeout = {download_timeout}
autothrottle = false
analysis_workers = 0
concurrency_per_domain = {per_domain}
"""
QUEUE = """
[queue]
url = "{redis}"
prefix = "{prefix}"
visibility_timeout = {visibility}
heartbeat = 1
domain_delay = {delay}
"""
SOURCES = """
[[sources]]
name = "synthetic"
type = "site"
start_urls = {starts}
"""


def write_config(
    tmp: Path, starts: list[str], *, redis: str = "", prefix: str = "", revisit: float = 24,
    per_domain: int = 8, visibility: float = 60, delay: float = 0.0, download_timeout: float = 10,
) -> Path:
    text = CRAWL.format(revisit=revisit, per_domain=per_domain, download_timeout=download_timeout)
    if redis:
        text += QUEUE.format(redis=redis, prefix=prefix, visibility=visibility, delay=delay)
    text += SOURCES.format(starts=json.dumps(starts))
    path = tmp / "hotwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def stored_urls(data_dir: Path) -> list[str]:
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        return [doc.url for doc in store.iter_documents()]
    finally:
        store.close()


def other_worker_waits(server: Redis, keys: FrontierKeys, domain: str = "127.0.0.1") -> bool:
    """A worker other than the one holding the domain's slot waits for it (a slot's and
    a waiter's token is its worker's id, a colon and a number)."""
    def worker(token: bytes) -> str:
        return token.decode().rsplit(":", 1)[0]

    holders = {worker(t) for t in server.zrange(keys.slots(domain), 0, -1)}
    waiters = {worker(t) for t in server.zrange(keys.slot_queue(domain)[0], 0, -1)}
    return bool(holders) and bool(waiters - holders)


def article_fetches(site: CountingSite) -> dict[str, int]:
    return {path: site.requests[path] for path in site.article_paths()}


def test_a_forever_worker_waits_crawls_new_seeds_and_stops_cleanly_on_sigterm(
    tmp_path, redis_url, queue_prefix  # noqa: F811
):
    server, keys = Redis.from_url(redis_url), FrontierKeys(queue_prefix)
    with CountingSite(synthetic_site(40)) as site:
        config = write_config(tmp_path, [f"{site.url}/news/index.html"], redis=redis_url,
                              prefix=queue_prefix, delay=0.1)
        finish(hotwatch(config, "data", "crawl", "--json"))
        worker = hotwatch(config, "data", "worker", "--forever", "--json")

        def waiting() -> bool:
            beats = [json.loads(raw) for raw in server.hvals(keys.workers)]
            return any(b["state"] == "crawling" and b["fetched"] == 0 for b in beats)

        wait_until(waiting, timeout=60)
        time.sleep(3)
        assert worker.poll() is None  # nothing to do, and still there
        first_fetches = article_fetches(site)

        site.site = synthetic_site(160)  # 120 new articles on the list pages
        # The second seeding is stopped (SIGTERM) once it fetched a new article: what it
        # took it finishes, the rest of the new seeds (list pages too) is the worker's.
        seeding_process = hotwatch(config, "data", "crawl", "--json")
        wait_until(lambda: sum(article_fetches(site).values()) > 40)
        seeding_process.send_signal(signal.SIGTERM)
        seeding = finish(seeding_process)
        wait_until(lambda: len(article_fetches(site)) == 160
                   and min(article_fetches(site).values()) > 0)
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        stopped = finish(worker, timeout=120)  # exit 0, its summary, no traceback
        fetches = article_fetches(site)

    assert len(first_fetches) == 40 and set(first_fetches.values()) == {1}
    assert len(fetches) == 160 and set(fetches.values()) == {1}  # old ones not again
    (by_worker,) = stopped["sources"]
    (by_seeding,) = seeding["sources"]
    assert by_worker["fetched"] > 0  # the waiting worker took its share of the new seeds
    assert by_worker["fetched"] + by_seeding["fetched"] == 120
    assert by_worker["new"] + by_seeding["new"] == 120
    urls = stored_urls(tmp_path / "data")
    assert len(urls) == len(set(urls)) == 160
    assert server.zcard(keys.requests(SOURCE)) == server.zcard(keys.leases(SOURCE)) == 0
    beats = [json.loads(raw) for raw in server.hvals(keys.workers)]
    assert {b["state"] for b in beats} == {"stopped (shutdown)", "stopped (finished)"}


def test_two_workers_never_send_one_domain_two_requests_at_once(
    tmp_path, redis_url, queue_prefix  # noqa: F811
):
    server, keys = Redis.from_url(redis_url), FrontierKeys(queue_prefix)
    with CountingSite(synthetic_site(80), delay=0.08) as site:
        forbidden = sorted(site.article_paths())[:5]
        robots = "User-agent: *\n" + "".join(f"Disallow: {path}\n" for path in forbidden)
        site.site.pages["/robots.txt"] = (robots.encode(), "text/plain")
        # The first answer to the workers is held until the other worker waits for the
        # slot; a held request must not time out meanwhile.
        config = write_config(tmp_path, [f"{site.url}/news/index.html"], redis=redis_url,
                              prefix=queue_prefix, per_domain=1, download_timeout=300)
        # The seeding crawl queues every article (the last list page read), then SIGTERM
        # stops it: what it took is finished, the rest stays queued for two workers
        # started together, which wait for the one slot of the domain in turn.
        seeding = hotwatch(config, "data", "crawl", "--json")
        wait_until(lambda: site.requests["/news/index_4.html"] > 0)
        seeding.send_signal(signal.SIGTERM)
        (a,) = finish(seeding)["sources"]
        pending, leased = server.zcard(keys.requests(SOURCE)), server.zcard(keys.leases(SOURCE))
        # Under load one worker may start seconds after the other and would find the
        # queue done: the first one's first request holds the slot, unanswered, until
        # the other asks for it; slots go first come, first served, so both fetch.
        site.answering.clear()
        workers = [hotwatch(config, "data", "worker", "--concurrency", "2", "--json")
                   for _ in range(2)]
        try:
            wait_until(lambda: site.at_once == 1 and other_worker_waits(server, keys),
                       timeout=240)
        finally:
            site.answering.set()
        (b,), (c,) = (finish(worker)["sources"] for worker in workers)
        most_at_once, fetches = site.most_at_once, article_fetches(site)

    assert pending > 0 and leased == 0  # the stopped crawl finished what it took
    assert b["fetched"] > 0 and c["fetched"] > 0  # both workers sent requests ...
    assert most_at_once == 1  # ... yet the site never had two at once
    assert [fetches[path] for path in forbidden] == [0] * 5  # robots.txt, by every worker
    assert {n for path, n in fetches.items() if path not in forbidden} == {1}
    assert a["fetched"] + b["fetched"] + c["fetched"] == 75
    assert len(stored_urls(tmp_path / "data")) == 75


def test_crawl_url_seeds_an_adhoc_source_into_the_frontier(
    tmp_path, redis_url, queue_prefix  # noqa: F811
):
    with CountingSite(synthetic_site(20)) as site:
        config = write_config(tmp_path, ["http://127.0.0.1:1/"], redis=redis_url,
                              prefix=queue_prefix)
        crawled = finish(hotwatch(config, "data", "crawl", "--url", f"{site.url}/news/index.html",
                                  "--json"))
        fetches = article_fetches(site)
    status = finish(hotwatch(config, "data", "queue", "status", "--json"))

    (summary,) = crawled["sources"]
    assert (summary["name"], summary["fetched"], summary["new"]) == ("127.0.0.1", 20, 20)
    assert set(fetches.values()) == {1}
    assert status["sources"] == [
        {"name": "127.0.0.1", "pending": 0, "in_flight": 0, "seen": 20}
    ]


def test_redis_killed_mid_crawl_one_error_line_and_nothing_lost(
    tmp_path, own_redis: OwnRedis, queue_prefix  # noqa: F811
):
    server, keys = Redis.from_url(own_redis.url), FrontierKeys(queue_prefix)
    with CountingSite(synthetic_site(150), delay=0.02) as site:
        config = write_config(tmp_path, [f"{site.url}/news/index.html"], redis=own_redis.url,
                              prefix=queue_prefix, visibility=3)
        crawl = hotwatch(config, "data", "crawl", "--json")
        wait_until(lambda: sum(article_fetches(site).values()) >= 30)
        own_redis.kill()
        stdout, stderr = crawl.communicate(timeout=120)
        fetched = {path: n for path, n in article_fetches(site).items() if n}
        stored = stored_urls(tmp_path / "data")

        assert crawl.returncode == 1 and stdout == ""
        assert "Traceback" not in stderr
        (line,) = stderr.splitlines()
        assert line.startswith(
            f"Error: the queue Redis went away mid-crawl ({own_redis.url}): "
        ), line
        assert f"; {len(stored)} document(s) stored, unfinished requests stay queued" in line
        # Every article the site answered before Redis went is in the store, once.
        assert set(fetched.values()) == {1}
        assert sorted(stored) == sorted(site.url + path for path in fetched)
        assert len(stored) < 150

        own_redis.start()  # from its append-only file
        assert server.zcard(keys.requests(SOURCE)) + server.zcard(keys.leases(SOURCE)) > 0
        finish(hotwatch(config, "data", "worker", "--json"))
        fetches = article_fetches(site)

    assert min(fetches.values()) >= 1  # every article fetched ...
    urls = stored_urls(tmp_path / "data")
    assert len(urls) == len(set(urls)) == 150  # ... and stored once
    assert server.zcard(keys.requests(SOURCE)) == server.zcard(keys.leases(SOURCE)) == 0


@pytest.mark.parametrize("frontier", [True, False], ids=["frontier", "in-process"])
def test_revisit_hours_zero_fetches_each_article_once_per_crawl(
    tmp_path, redis_url, queue_prefix, frontier  # noqa: F811
):
    with CountingSite(synthetic_site(30)) as site:
        # Three ways to every article: the list pages, the feed and the sitemap.
        starts = [f"{site.url}/news/index.html", f"{site.url}/rss.xml", f"{site.url}/sitemap.xml"]
        config = write_config(tmp_path, starts, redis=redis_url if frontier else "",
                              prefix=queue_prefix, revisit=0)
        finish(hotwatch(config, "data", "crawl", "--json"))
        once = article_fetches(site)
        finish(hotwatch(config, "data", "crawl", "--json"))
        twice = article_fetches(site)

    assert len(once) == 30 and set(once.values()) == {1}
    assert set(twice.values()) == {2}  # revisit_hours = 0: again at the next crawl
    urls = stored_urls(tmp_path / "data")
    assert len(urls) == len(set(urls)) == 30
