"""One vs two frontier workers on one machine, and the seen-URL filter's memory.

Crawls the generated loopback site (``--articles``, default 2,000) into a real
Elasticsearch node (``HOTWATCH_ES_URL``) three times through the real CLI, each into
a fresh index and Redis key prefix:

1. today's single-process crawl (no ``[queue]``): the baseline;
2. one worker over the shared Redis frontier (``hotwatch crawl`` seeds and crawls);
3. two workers (``hotwatch crawl`` plus one ``hotwatch worker``).

Articles/s is stored articles over wall time from the first process started to the
last one done (start-up and incident placement included, as a user waits for them).
CPU per article (the hotwatch processes and their analysis workers; Redis's own apart)
tells the frontier's cost even when other work on the machine leaves no core free.
Then 10^6 article fingerprints go into the exact filter (a Redis sorted set) and the
memory per URL is printed (``bench/seen_filter.py`` compares the Bloom filter).

    HOTWATCH_ES_URL=http://127.0.0.1:9200 python bench/distributed.py [--articles 2000]

Redis: ``HOTWATCH_REDIS_URL``, else ``scripts/redis.sh`` starts one on a free port.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.frontier.keys import FrontierKeys  # noqa: E402
from hotwatch.demo.server import serve  # noqa: E402
from hotwatch.demo.synthetic import synthetic_site  # noqa: E402

CONFIG = """
[crawl]
revisit_hours = 24
autothrottle = false
{queue}
[index]
backend = "elasticsearch"
urls = ["{es}"]
index_prefix = "{index_prefix}"

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{start}"]
"""
QUEUE = '[queue]\nurl = "{redis}"\nprefix = "{prefix}"\n'


def hotwatch(config: Path, data: str, *args: str) -> subprocess.Popen[str]:
    environment = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("HOTWATCH_ES_", "HOTWATCH_INDEX", "HOTWATCH_QUEUE"))
    }
    command = [sys.executable, "-m", "hotwatch", "--config", str(config),
               "--data-dir", str(config.parent / data), *args, "--json"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment)


def stored(process: subprocess.Popen[str]) -> int:
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"hotwatch failed: {stderr.strip().splitlines()[-1:]}")
    return sum(source["new"] for source in json.loads(stdout)["sources"])


def children_cpu() -> float:
    """CPU seconds of every finished child process and their own waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def redis_cpu(redis: str | None) -> float:
    if not redis:
        return 0.0
    cpu = Redis.from_url(redis).info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def run(tmp: Path, es: str, redis: str | None, start: str, workers: int) -> tuple[int, float]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    directory = tmp / prefix
    directory.mkdir()
    config = directory / "hotwatch.toml"
    queue = QUEUE.format(redis=redis, prefix=prefix) if redis else ""
    config.write_text(CONFIG.format(queue=queue, es=es, index_prefix=f"{prefix}-", start=start))
    began = time.perf_counter()
    processes = [hotwatch(config, "data-0", "crawl")]
    if workers > 1:
        server, keys = Redis.from_url(redis), FrontierKeys(prefix)
        while not server.hlen(keys.sources):  # the seeding crawl registered the source
            time.sleep(0.1)
        processes += [hotwatch(config, f"data-{i}", "worker") for i in range(1, workers)]
    total = sum(stored(process) for process in processes)
    return total, time.perf_counter() - began


def filter_memory(redis: str, count: int) -> float:
    """Bytes per URL of the exact filter: ``count`` 20-byte fingerprints in a sorted set."""
    server, key = Redis.from_url(redis), f"bench-filter-{uuid.uuid4().hex[:8]}"
    try:
        now = time.time()
        for start in range(0, count, 10_000):
            pipe = server.pipeline(transaction=False)
            pipe.zadd(key, {os.urandom(20): now for _ in range(start, min(count, start + 10_000))})
            pipe.execute()
        return server.memory_usage(key, samples=0) / count
    finally:
        server.delete(key)


def redis_url(tmp: Path) -> str:
    if os.environ.get("HOTWATCH_REDIS_URL"):
        return os.environ["HOTWATCH_REDIS_URL"]
    environment = {**os.environ, "HOTWATCH_REDIS_DIR": str(tmp / "redis")}
    started = subprocess.run(["bash", str(ROOT / "scripts" / "redis.sh"), "start", "--port", "0"],
                             env=environment, capture_output=True, text=True, check=True)
    return started.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--fingerprints", type=int, default=1_000_000)
    args = parser.parse_args()
    es = os.environ.get("HOTWATCH_ES_URL", "").split(",")[0]
    if not es:
        raise SystemExit("set HOTWATCH_ES_URL to a real Elasticsearch node")
    with tempfile.TemporaryDirectory() as tmp_name, serve(synthetic_site(args.articles)) as site:
        tmp = Path(tmp_name)
        redis = redis_url(tmp)
        start = f"{site.url}/news/index.html"
        results = {}
        for label, queue, workers in (("single process (today)", None, 1),
                                      ("1 frontier worker", redis, 1),
                                      ("2 frontier workers", redis, 2)):
            load = os.getloadavg()[0]
            cpu_before, redis_before = children_cpu(), redis_cpu(queue)
            total, seconds = run(tmp, es, queue, start, workers)
            cpu, in_redis = children_cpu() - cpu_before, redis_cpu(queue) - redis_before
            results[label] = total / seconds
            print(f"{label:24} {total} articles in {seconds:6.1f} s = "
                  f"{total / seconds:5.1f} articles/s; CPU {cpu / total * 1000:5.1f} ms/article "
                  f"in hotwatch, {in_redis / total * 1000:4.1f} in Redis "
                  f"(load average {load:.1f} at start)", flush=True)
        base, one, two = results.values()
        print(f"1 worker / single process: {one / base:.2f}x")
        print(f"2 workers / 1 worker:      {two / one:.2f}x  (2 cores, shared)")
        per_url = filter_memory(redis, args.fingerprints)
        print(f"exact filter: {per_url:.0f} bytes per seen URL at {args.fingerprints:,} URLs "
              f"({per_url * 10**8 / 2**30:.1f} GiB at 10^8)")
        print("the Bloom filter (bloom = true) beside it: bench/seen_filter.py")
        if not os.environ.get("HOTWATCH_REDIS_URL"):
            subprocess.run(["bash", str(ROOT / "scripts" / "redis.sh"), "stop"],
                           env={**os.environ, "HOTWATCH_REDIS_DIR": str(tmp / "redis")},
                           check=False)


if __name__ == "__main__":
    main()
