"""The frontier's parts against a real redis-server: leases that come back, the revisit
filter, the Bloom filter, and the CLI's one-line error when Redis is unreachable."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from click.testing import CliRunner
from redis import Redis
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.frontier.bloom import RedisBloom
from crawler.frontier.dupefilter import FrontierFilter
from crawler.frontier.keys import FrontierKeys
from crawler.frontier.pace import SharedPaceMiddleware
from crawler.frontier.queue import LEASE_META, LeasedQueue
from crawler.spiders.site import SiteSpider
from hotwatch.cli.main import cli
from tests.redis_fixtures import (  # noqa: F401 (fixtures)
    bloom_redis_url,
    own_redis,
    queue_prefix,
    redis_url,
)

pytestmark = pytest.mark.redis
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def spider():
    crawler = get_crawler(SiteSpider)
    crawler.spider = crawler._create_spider(source={"name": "s", "start_urls": ["http://a.test/"]})
    return crawler.spider


def leased_queue(redis_url, prefix, spider, visibility):  # noqa: F811
    keys = FrontierKeys(prefix)
    return LeasedQueue(Redis.from_url(redis_url), spider, keys.requests("s"),
                       leases_key=keys.leases("s"), visibility_timeout=visibility)


def test_a_request_not_acknowledged_comes_back_after_the_visibility_timeout(
    redis_url, queue_prefix, spider  # noqa: F811
):
    queue = leased_queue(redis_url, queue_prefix, spider, visibility=1)
    queue.push(Request("http://a.test/1", callback=spider.parse_article))
    taken = queue.pop()
    assert taken.url == "http://a.test/1" and taken.callback == spider.parse_article
    assert (len(queue), queue.leased(), queue.pop()) == (0, 1, None)
    time.sleep(1.2)  # the worker holding it "died"
    again = queue.pop()
    assert again.url == "http://a.test/1"
    queue.ack(again.meta[LEASE_META])
    time.sleep(1.2)
    assert (len(queue), queue.leased(), queue.pop()) == (0, 0, None)


def test_a_retry_of_a_leased_request_replaces_its_lease(
    redis_url, queue_prefix, spider  # noqa: F811
):
    queue = leased_queue(redis_url, queue_prefix, spider, visibility=60)
    queue.push(Request("http://a.test/1", priority=1))
    queue.push(Request("http://a.test/2"))
    first = queue.pop()
    assert first.url == "http://a.test/1"  # higher priority first
    queue.push(first.replace(dont_filter=True))
    assert (len(queue), queue.leased()) == (2, 0)


def test_articles_are_seen_for_the_revisit_interval_list_pages_per_seeding(
    redis_url, queue_prefix, spider  # noqa: F811
):
    keys = FrontierKeys(queue_prefix)
    server = Redis.from_url(redis_url)
    seen = FrontierFilter(
        server, spider.crawler.request_fingerprinter, articles_key=keys.articles("s"),
        seeding_key=keys.seeding("s"), revisit=1.0,
    )
    article = Request("http://a.test/a1.html", meta={"hotwatch_article": True})
    listing = Request("http://a.test/index.html")
    assert [seen.request_seen(article), seen.request_seen(article)] == [False, True]
    assert [seen.request_seen(listing), seen.request_seen(listing)] == [False, True]
    time.sleep(1.1)
    assert seen.request_seen(article) is False  # older than revisit_hours: fetch again
    server.delete(keys.seeding("s"))  # what a new seeding does
    assert seen.request_seen(listing) is False


@pytest.mark.parametrize("bloom", [False, True], ids=["exact", "bloom"])
def test_a_request_is_marked_seen_and_queued_in_one_step(
    request, redis_url, queue_prefix, spider, bloom  # noqa: F811
):
    if bloom:
        request.getfixturevalue("bloom_redis_url")
    keys, server = FrontierKeys(queue_prefix), Redis.from_url(redis_url)
    queue = leased_queue(redis_url, queue_prefix, spider, visibility=60)
    seen = FrontierFilter(
        server, spider.crawler.request_fingerprinter, articles_key=keys.articles("s"),
        seeding_key=keys.seeding("s"), revisit=3600.0,
        bloom=RedisBloom(server, keys.articles("s"), capacity=1000, error_rate=0.01,
                         revisit=3600) if bloom else None,
    )
    article = {"hotwatch_article": True}
    assert not seen.seen_or_queue(Request("http://a.test/a1.html", meta=article),
                                  queue.queueing(Request("http://a.test/a1.html", meta=article)))
    assert (len(queue), queue.leased()) == (1, 0)
    # A leased request redirected to a URL already queued: no second copy, lease gone.
    taken = queue.pop()
    redirected = Request("http://a.test/a1.html", meta=dict(taken.meta))
    assert seen.seen_or_queue(redirected, queue.queueing(redirected))
    assert (len(queue), queue.leased()) == (0, 0)
    # ... and to a new URL: queued in the lease's place.
    queue.push(Request("http://a.test/a2.html", meta=article))
    taken = queue.pop()
    redirected = Request("http://a.test/a3.html", meta=dict(taken.meta))
    assert not seen.seen_or_queue(redirected, queue.queueing(redirected))
    assert (len(queue), queue.leased()) == (1, 0)
    assert queue.pop().url == "http://a.test/a3.html"


def test_the_bloom_filter_forgets_nothing_within_its_generation(
    bloom_redis_url, queue_prefix  # noqa: F811
):
    server = Redis.from_url(bloom_redis_url)
    bloom = RedisBloom(server, f"{queue_prefix}:bloom", capacity=1000, error_rate=0.01,
                       revisit=3600)
    now = 1_000_000.0
    # Three times its capacity: Redis grows the filter, the error rate holds.
    added = [bloom.seen_or_add(b"fp-%d" % i, now) for i in range(3000)]
    assert sum(added) <= 30  # false positives while adding: about 1%
    assert all(bloom.seen_or_add(b"fp-%d" % i, now) for i in range(3000))
    assert all(bloom.seen_or_add(b"fp-%d" % i, now + 3600) for i in range(3000))  # previous gen
    assert not all(bloom.seen_or_add(b"fp-%d" % i, now + 7200) for i in range(50))
    assert 2970 <= bloom.count(now) <= 3000
    assert bloom.count(now + 7200) == 1  # only the URL just taken as new again
    generation = f"{queue_prefix}:bloom:{int(now // 3600)}"
    assert server.execute_command("BF.CARD", generation) >= 2970
    assert 3600 < server.ttl(generation) <= 7201  # expires after two generations


def test_queue_status_counts_the_urls_in_the_bloom_filter(
    tmp_path, bloom_redis_url, queue_prefix  # noqa: F811
):
    keys, server = FrontierKeys(queue_prefix), Redis.from_url(bloom_redis_url)
    server.hset(keys.sources, "s", json.dumps({"name": "s", "type": "site"}))
    bloom = RedisBloom(server, keys.articles("s"), capacity=1000, error_rate=0.001,
                       revisit=24 * 3600)  # revisit_hours: the default
    assert not any(bloom.seen_or_add(b"fp-%d" % i) for i in range(25))
    config = config_file(tmp_path, bloom_redis_url, queue_prefix)
    config.write_text(config.read_text().replace("[queue]\n", "[queue]\nbloom = true\n"))
    result = CliRunner().invoke(cli, ["--config", str(config), "queue", "status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sources"] == [
        {"name": "s", "pending": 0, "in_flight": 0, "seen": 25}
    ]


def test_a_bloom_filter_crawl_on_a_redis_without_one_is_one_error_line(
    tmp_path, own_redis  # noqa: F811
):
    config = config_file(tmp_path, own_redis.url)
    config.write_text(config.read_text().replace("[queue]\n", "[queue]\nbloom = true\n"))
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data), "crawl"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: [queue] bloom = true needs Redis's Bloom filter (BF.ADD), which the Redis at "
        f"{own_redis.url} lacks: use Redis 8 or Redis Stack, or start redis-server with "
        "--loadmodule redisbloom.so\n")
    assert not Redis.from_url(own_redis.url).keys("*")  # nothing seeded
    assert not data.exists() or not any(data.rglob("*.sqlite*"))


def politeness(redis_url, prefix, **settings):  # noqa: F811
    """The shared-politeness middleware of one more worker."""
    settings = {"HOTWATCH_FRONTIER_URL": redis_url, "HOTWATCH_FRONTIER_PREFIX": prefix,
                **settings}
    return SharedPaceMiddleware.from_crawler(get_crawler(settings_dict=settings))


def test_the_domain_pace_is_shared_by_every_worker(redis_url, queue_prefix):  # noqa: F811
    first, second = (politeness(redis_url, queue_prefix, HOTWATCH_FRONTIER_DOMAIN_DELAY=2.0)
                     for _ in range(2))  # two workers
    now = time.time()
    waits = [first.reserve("a.test", now), second.reserve("a.test", now),
             first.reserve("a.test", now), second.reserve("b.test", now)]
    assert [round(w, 3) for w in waits] == [0.0, 2.0, 4.0, 0.0]


def test_a_domain_slot_is_held_by_one_worker_at_a_time(redis_url, queue_prefix):  # noqa: F811
    first, second = (politeness(redis_url, queue_prefix, CONCURRENT_REQUESTS_PER_DOMAIN=1,
                                HOTWATCH_FRONTIER_SLOT_LEASE=1.0) for _ in range(2))
    slots = FrontierKeys(queue_prefix).slots("a.test")
    server = Redis.from_url(redis_url)

    async def two_workers() -> None:
        a1, a2, b1 = (Request(u) for u in ("http://a.test/1", "http://a.test/2", "http://b.test/1"))
        await first.process_request(a1)
        waiting = asyncio.ensure_future(second.process_request(a2))
        await asyncio.wait_for(second.process_request(b1), 1)  # another domain is free
        await asyncio.sleep(0.3)
        assert not waiting.done() and server.zcard(slots) == 1
        first.give_back(a1)
        # First come, first served: the worker that gave the slot back asks again at
        # once, yet the slot goes to the one that was waiting.
        again = asyncio.ensure_future(first.process_request(Request("http://a.test/4")))
        await asyncio.wait_for(waiting, 1)  # a1's slot, now a2's
        second.give_back(b1)
        await asyncio.sleep(0.3)
        assert not again.done()
        # A worker that dies holding a slot (a2's): the slot is free after its lease (1 s).
        started = time.monotonic()
        await asyncio.wait_for(again, 3)
        assert time.monotonic() - started > 0.3

    asyncio.run(two_workers())
    first.spider_closed()  # gives back what it holds
    assert server.zcard(slots) == 0


def config_file(tmp_path, url, prefix="hotwatch"):
    path = tmp_path / "hotwatch.toml"
    path.write_text(
        f'[queue]\nurl = "{url}"\nprefix = "{prefix}"\n\n'
        '[[sources]]\nname = "s"\ntype = "site"\nstart_urls = ["http://127.0.0.1:1/"]\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", [["crawl"], ["worker"], ["queue", "status"]])
def test_redis_unreachable_is_one_error_line_and_nothing_written(tmp_path, command):
    data = tmp_path / "data"
    result = CliRunner().invoke(
        cli, ["--config", str(config_file(tmp_path, UNREACHABLE)), "--data-dir", str(data),
              *command],
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: queue Redis at {UNREACHABLE} is unreachable: ")
    assert result.output.count("\n") == 1
    assert not data.exists() or not any(data.rglob("*.sqlite*"))


def test_queue_status_and_clear_on_a_real_redis(tmp_path, redis_url, queue_prefix):  # noqa: F811
    keys, server = FrontierKeys(queue_prefix), Redis.from_url(redis_url)
    source = {"name": "s", "type": "site", "start_urls": ["http://a.test/"]}
    server.hset(keys.sources, "s", json.dumps(source))
    server.zadd(keys.requests("s"), {b"r1": 0, b"r2": 0})
    server.zadd(keys.leases("s"), {b"r3": time.time() + 60})
    beat = {"worker": "host:1", "source": "s", "state": "crawling", "seen": time.time(),
            "interval": 5, "fetched": 7, "last_error": "http://a.test/x: HTTP 500"}
    server.hset(keys.workers, "host:1/s", json.dumps(beat))
    config = str(config_file(tmp_path, redis_url, queue_prefix))
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", config, "queue", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["sources"] == [{"name": "s", "pending": 2, "in_flight": 1, "seen": 0}]
    (worker,) = status["workers"]
    assert (worker["alive"], worker["fetched"], worker["last_error"]) == (
        True, 7, "http://a.test/x: HTTP 500")

    refused = runner.invoke(cli, ["--config", config, "queue", "clear"], input="n\n")
    assert refused.exit_code == 1 and server.exists(keys.sources)
    cleared = runner.invoke(cli, ["--config", config, "queue", "clear", "--yes"])
    assert cleared.exit_code == 0 and cleared.output == "cleared 4 key(s)\n"
    assert list(server.scan_iter(match=f"{queue_prefix}:*")) == []
