"""``hotwatch serve`` under load: Werkzeug's threaded server vs waitress and gunicorn.

Usage: python bench/web_load.py [--docs 100000] [--data-dir DIR] [--clients 1,4,16]
       [--seconds 20] [--servers werkzeug,waitress,gunicorn] [--crawl-articles 2000]

Builds (or reuses) the synthetic SQLite store of ``bench/web.py`` with ``--docs``
documents, then for each server starts ``hotwatch serve`` as a real process on
127.0.0.1 and drives N concurrent clients (threads in this process, each with a
keep-alive connection; the load client shares the machine's cores) for ``--seconds``
over a mix of requests: 检索 with facets (several queries), an incident page, 待办 and
今日. It prints req/s, p50, p95 and errors, and each server's throughput as a ratio to
Werkzeug's at the same concurrency, measured in the same run.

Then, on a copy of the store, a real ``hotwatch crawl`` of the generated loopback site
(``--crawl-articles``) runs alone (its pace without readers), and again on a fresh copy
while 16 clients load each server; the crawl must store every article (``lost`` counts
the missing ones).

Targets (the issue's, at 100k documents on two cores): 16 clients p95 <= 200 ms with
0 errors and >= 1.2x Werkzeug's throughput; during a crawl p95 <= 400 ms, nothing lost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from web import build_store  # bench/ is the script's directory

from hotwatch.demo.server import serve as serve_site
from hotwatch.demo.synthetic import synthetic_site

logger = logging.getLogger("bench.web_load")

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 200
TARGET_CRAWL_P95_MS = 400
TARGET_RATIO = 1.2
SEARCHES = [
    "/search?sort=time",
    "/search?q=12345",
    "/search?q=12345&region=" + quote("河南省"),
    "/search?q=" + quote("(12345 OR 市长热线) AND (打不通 OR 推诿)") + "&from=2021-04-01",
    "/search?q=" + quote("热线") + "&category=rudeness&page=2",
]
CRAWL_CONFIG = """
[crawl]
autothrottle = false
concurrency_per_domain = 16
revisit_hours = 24

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{url}/news/index.html"]
max_list_pages = 1000
"""


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


class Server:
    """A web server process serving ``data_dir`` on a free loopback port."""

    def __init__(self, name: str, data_dir: Path, log_dir: Path, workers: int, threads: int):
        self.name = name
        environment = {k: v for k, v in os.environ.items() if not k.startswith("HOTWATCH_")}
        serve = [sys.executable, "-m", "hotwatch", "--data-dir", str(data_dir), "serve",
                 "--port", "0", "--access-log", ""]
        commands = {
            "werkzeug": [*serve, "--server", "werkzeug"],
            "gunicorn": [*serve, "--server", "gunicorn", "--workers", str(workers),
                         "--threads", str(threads)],
            "waitress": [*serve, "--threads", str(workers * threads)],
        }
        self.out = log_dir / f"{name}.out"
        self.process = subprocess.Popen(
            commands[name], stdout=self.out.open("w"), stderr=(log_dir / f"{name}.err").open("w"),
            cwd=ROOT, env=environment,
        )
        deadline = time.monotonic() + 120
        while "serving on http://" not in self.out.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start: see {log_dir / (name + '.err')}")
            time.sleep(0.2)
        line = next(x for x in self.out.read_text().splitlines() if "serving on" in x)
        self.port = int(line.split("serving on http://127.0.0.1:", 1)[1].split("/", 1)[0])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def request_mix(incidents: int, seed: int) -> list[str]:
    """Searches with facets (40%), incident pages (20%), 待办 (20%), 今日 (20%)."""
    rng = random.Random(seed)
    paths = []
    for _ in range(500):
        kind = rng.random()
        if kind < 0.4:
            paths.append(rng.choice(SEARCHES))
        elif kind < 0.6:
            paths.append(f"/incidents/inc-{rng.randrange(incidents)}")
        elif kind < 0.8:
            paths.append("/todo")
        else:
            paths.append(f"/?date=2021-04-{rng.randrange(20, 30)}")
    return paths


def load(port: int, clients: int, seconds: float, until: threading.Event | None = None) -> Result:
    """``clients`` threads, each requesting its own mix over one keep-alive connection."""
    result = Result()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        own: list[float] = []
        errors = 0
        for path in _cycle(request_mix(2000, number)):
            if time.monotonic() >= stop_at or (until is not None and until.is_set()):
                break
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors += 1
                    continue
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            own.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            result.latencies.extend(own)
            result.errors += errors

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def _cycle(paths: list[str]):  # type: ignore[no-untyped-def]
    while True:
        yield from paths


def warm(port: int) -> None:
    """Every page of the mix once, so caches and connections are as in steady use."""
    load(port, 1, 0)  # opens and closes one connection
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for path in [*SEARCHES, "/todo", "/?date=2021-04-25", "/incidents/inc-1"]:
        connection.request("GET", path)
        connection.getresponse().read()
    connection.close()


def line(name: str, clients: int, result: Result, base: Result | None) -> str:
    ratio = f"{result.rate / base.rate:>6.2f}x" if base and base.rate else f"{'':>7}"
    return (f"{name:10} {clients:>7} {result.rate:>8.1f} {result.p50:>8.0f} "
            f"{result.percentile(0.95):>8.0f} {result.errors:>6} {ratio}")


def crawl_during_load(
    args: argparse.Namespace, names: list[str], data_dir: Path, tmp: Path
) -> list[str]:
    """The crawl alone on a copy of the store (its pace without readers), then each
    server again on a fresh copy, 16 clients while the same crawl writes it."""
    site = serve_site(synthetic_site(args.crawl_articles, seed=3))
    rows = []
    base: Result | None = None
    try:
        copy = tmp / "crawl-alone"
        shutil.copytree(data_dir, copy)
        try:
            crawl, done, output, waiter = _start_crawl(site.url, copy, tmp)
            started = time.perf_counter()
            finished = done.wait(args.crawl_timeout)
            took = time.perf_counter() - started
            if not finished:
                crawl.kill()
            waiter.join()
            rows.append(f"{'no server':10} {0:>7} {'':>8} {'':>8} {'':>8} {'':>6} {'':>7}  "
                        + (f"crawl {took:.0f} s, lost {args.crawl_articles - _stored(output)}"
                           if finished else f"crawl unfinished after {took:.0f} s (killed)"))
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        for name in names:
            copy = tmp / f"crawl-{name}"
            shutil.copytree(data_dir, copy)
            server = Server(name, copy, tmp, args.workers, args.threads)
            crawl = None
            try:
                warm(server.port)
                crawl, done, output, waiter = _start_crawl(site.url, copy, tmp)
                result = load(server.port, 16, args.crawl_timeout, until=done)
                if not done.is_set():
                    crawl.kill()
                    waiter.join()
                    rows.append(line(name, 16, result, base)
                                + f"  crawl unfinished after {args.crawl_timeout:.0f} s (killed)")
                    continue
                waiter.join()
                rows.append(line(name, 16, result, base) + f"  crawl {result.seconds:.0f} s, "
                            f"lost {args.crawl_articles - _stored(output)}")
                if name == "werkzeug":
                    base = result
            finally:
                if crawl is not None and crawl.poll() is None:
                    crawl.kill()
                server.stop()
                shutil.rmtree(copy, ignore_errors=True)
    finally:
        site.close()
    return rows


def _start_crawl(
    url: str, data_dir: Path, tmp: Path
) -> tuple[subprocess.Popen[str], threading.Event, list[str], threading.Thread]:
    config = tmp / f"{data_dir.name}.toml"
    config.write_text(CRAWL_CONFIG.format(url=url), encoding="utf-8")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "hotwatch", "--config", str(config), "--data-dir",
         str(data_dir), "crawl", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )
    done = threading.Event()
    output: list[str] = []
    waiter = threading.Thread(target=_wait, args=(crawl, output, done))
    waiter.start()
    return crawl, done, output, waiter


def _stored(output: list[str]) -> int:
    return sum(s["new"] for s in json.loads(output[0])["sources"])


def _wait(process: subprocess.Popen[str], output: list[str], done: threading.Event) -> None:
    output.append(process.communicate()[0])
    done.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--servers", default="werkzeug,waitress,gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn worker (waitress gets workers x threads)")
    parser.add_argument("--crawl-articles", type=int, default=2000,
                        help="articles the crawl writes during the last round (0: no crawl)")
    parser.add_argument("--crawl-timeout", type=float, default=900,
                        help="seconds a crawl under load may take before it is killed")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl+C, so the servers and crawls started here are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    names = [n.strip() for n in args.servers.split(",") if n.strip()]
    if "werkzeug" in names:  # the baseline runs first
        names.remove("werkzeug")
        names.insert(0, "werkzeug")
    levels = [int(n) for n in args.clients.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="hotwatch-bench-load-"))
    data_dir = args.data_dir or tmp / "data"
    build_store(data_dir, args.docs)
    print(f"{args.docs} documents; {os.cpu_count()} cores; {args.seconds:.0f} s a level; "
          f"gunicorn {args.workers} workers x {args.threads} threads", flush=True)
    print(f"{'server':10} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}"
          f" {'vs wz':>7}", flush=True)
    baseline: dict[int, Result] = {}
    verdict: dict[str, Result] = {}
    try:
        for name in names:
            server = Server(name, data_dir, tmp, args.workers, args.threads)
            try:
                warm(server.port)
                for clients in levels:
                    result = load(server.port, clients, args.seconds)
                    if name == "werkzeug":
                        baseline[clients] = result
                    print(line(name, clients, result, baseline.get(clients)
                               if name != "werkzeug" else None), flush=True)
                    if clients == max(levels):
                        verdict[name] = result
            finally:
                server.stop()
        if args.crawl_articles:
            print(f"during a crawl of {args.crawl_articles} articles into the same store:")
            for row in crawl_during_load(args, names, data_dir, tmp):
                print(row, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the built store too, unless --data-dir
    chosen, base = verdict.get("waitress"), verdict.get("werkzeug")
    if chosen and base:
        p95 = chosen.percentile(0.95)
        print(f"waitress (the default) at {max(levels)} clients: "
              f"{chosen.rate / base.rate:.2f}x Werkzeug "
              f"(target {TARGET_RATIO}x), p95 {p95:.0f} ms (target {TARGET_P95_MS}), "
              f"{chosen.errors} errors")


if __name__ == "__main__":
    main()
