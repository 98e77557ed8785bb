"""Where a default crawl's wall clock goes: a timeline of one ``hotwatch crawl``.

Usage: python bench/crawl_timeline.py [--articles 2000] [--interval 0.1] [--workers N]
                                      [--jsonl FILE]

Serves ``bench/pipeline.py``'s loopback site and crawls it once with ``hotwatch crawl``
(its configuration; analysis workers by core count unless ``--workers``), a sampling
extension added to the crawler's ``EXTENSIONS``. Every ``--interval`` seconds, on the
reactor, it records the crawler process's CPU and each analysis worker's (from
``/proc``), how late the sample ran (the reactor's lag), requests downloading and
scheduled, responses in Scrapy's scraper slot (queued, in callbacks, their bytes,
items in pipelines) and jobs in the worker pool. Prints the phases of the run
(start-up, crawl, after the last page), a per-second table and what the crawl mostly
waited on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")
CHILD = """
import sys, time
STARTED = time.monotonic()
if __name__ == '__main__':
    sys.path.insert(0, {bench!r})
    import crawl_timeline
    crawl_timeline.STARTED = STARTED
    import crawler.settings
    crawler.settings.EXTENSIONS["crawl_timeline.Sampler"] = 990
    crawler.settings.HOTWATCH_TIMELINE = {out!r}
    crawler.settings.HOTWATCH_TIMELINE_INTERVAL = {interval!r}
    from hotwatch.cli import main
    sys.argv[0] = 'hotwatch'
    try:
        main()
    finally:
        with open({out!r}, 'a') as f:
            peak = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]
            t = time.monotonic() - STARTED
            f.write('{{"event": "exit", "t": %f, "peak": %s}}\\n' % (t, peak))
"""
STARTED = 0.0  # the child's start (monotonic), set by CHILD


def sched(pid: int) -> tuple[float, float]:
    """A process's main thread: seconds on a core and seconds runnable but waiting for one
    (``/proc/PID/schedstat``); (-1, -1) once it has gone."""
    try:
        ran, waited = Path(f"/proc/{pid}/schedstat").read_text().split()[:2]
    except OSError:
        return -1.0, -1.0
    return int(ran) / 1e9, int(waited) / 1e9


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (``VmHWM``: its peak), in MB; 0 once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return int(status.split(f"{field}:", 1)[1].split()[0]) / 1024


class Sampler:
    """Writes one JSON line per sample to ``HOTWATCH_TIMELINE`` (bench only)."""

    def __init__(self, crawler: Any, path: str, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.out = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed on spider_closed)
        self.loop: Any = None
        self.due = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> Sampler:
        from scrapy import signals

        sampler = cls(
            crawler,
            crawler.settings.get("HOTWATCH_TIMELINE"),
            crawler.settings.getfloat("HOTWATCH_TIMELINE_INTERVAL"),
        )
        crawler.signals.connect(sampler.opened, signal=signals.spider_opened)
        crawler.signals.connect(sampler.closed, signal=signals.spider_closed)
        return sampler

    def event(self, name: str, **fields: Any) -> None:
        self.out.write(json.dumps({"event": name, "t": time.monotonic() - STARTED, **fields}))
        self.out.write("\n")

    def watch_memory(self) -> None:
        """On a thread, every 10 ms: each new high of the crawler's resident memory (the
        reactor's samples miss what happens inside one long call)."""
        high = 0.0
        while self.loop is None or self.loop.running:
            rss = rss_mb(os.getpid())
            if rss > high + 1:
                high = rss
                self.event("high", rss=rss)
            time.sleep(0.01)

    def opened(self) -> None:
        from twisted.internet.task import LoopingCall

        self.event("opened")
        threading.Thread(target=self.watch_memory, daemon=True).start()
        self.due = time.monotonic()
        self.loop = LoopingCall(self.sample)
        self.loop.start(self.interval, now=True)

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.sample()
        self.event("closed")
        self.out.flush()

    def sample(self) -> None:
        now = time.monotonic()
        lag, self.due = max(0.0, now - self.due), max(self.due + self.interval, now)
        engine = self.crawler.engine
        slot = engine.scraper.slot
        from crawler.pipelines.worker import _workers

        worker = _workers.get(self.crawler)
        executor = worker.executor if worker else None
        processes = dict(getattr(executor, "_processes", None) or {})
        stats = self.crawler.stats
        self.event(
            "sample",
            lag=lag,
            cpu=time.process_time(),
            sched=sched(os.getpid()),
            rss=rss_mb(os.getpid()),
            worker_rss=max((rss_mb(pid) for pid in processes), default=0.0),
            peaks=[rss_mb(os.getpid(), "VmHWM"), *(rss_mb(pid, "VmHWM") for pid in processes)],
            workers={pid: sched(pid) for pid in processes},
            downloading=len(engine.downloader.active),
            scheduled=len(engine._slot.scheduler) if engine._slot else 0,
            in_progress=len(engine._slot.inprogress) if engine._slot else 0,
            scraper_queue=len(slot.queue) if slot else 0,
            scraper_active=len(slot.active) if slot else 0,
            scraper_bytes=slot.active_size if slot else 0,
            items=slot.itemproc_size if slot else 0,
            jobs=len(getattr(executor, "_pending_work_items", {}) or {}),
            responses=stats.get_value("response_received_count", 0),
            scraped=stats.get_value("item_scraped_count", 0),
        )


def run(articles: int, interval: float, workers: int | None, out: Path) -> float:
    from pipeline import CONFIG

    from hotwatch.demo.server import serve
    from hotwatch.demo.synthetic import synthetic_site

    with serve(synthetic_site(articles)) as server, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "hotwatch.toml"
        line = "" if workers is None else f"analysis_workers = {workers}"
        config.write_text(CONFIG.format(url=server.url, workers=line), encoding="utf-8")
        script = Path(tmp) / "timeline_child.py"
        script.write_text(CHILD.format(bench=str(BENCH), out=str(out), interval=interval))
        started = time.perf_counter()
        args = ["--config", str(config), "--data-dir", f"{tmp}/data", "crawl", "--json"]
        result = subprocess.run(
            [sys.executable, str(script), *args], capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
        summary = json.loads(result.stdout)["sources"][0]
        print(f"crawl: {summary['new']} new, {summary['relevant']} relevant, {elapsed:.1f} s wall")
    return elapsed


def _delta(later: dict[str, Any], earlier: dict[str, Any]) -> tuple[float, float, float, float]:
    """Crawler thread's and workers' (run, runnable-but-waiting) seconds between samples."""
    crawl = [a - b for a, b in zip(later["sched"], earlier["sched"], strict=True)]
    work = [0.0, 0.0]
    for pid, (ran, waited) in later["workers"].items():
        before = earlier["workers"].get(pid, (0.0, 0.0))
        if ran >= 0 and before[0] >= 0:
            work[0] += ran - before[0]
            work[1] += waited - before[1]
    return crawl[0], crawl[1], work[0], work[1]


def summarise(path: Path) -> None:
    records = [json.loads(line) for line in path.read_text().splitlines()]
    events = {r["event"]: r["t"] for r in records if r["event"] not in ("sample", "high")}
    highs = [r for r in records if r["event"] == "high"]
    exit_peak = next(r["peak"] for r in records if r["event"] == "exit") / 1024
    samples = [r for r in records if r["event"] == "sample"]
    first, last = samples[0], samples[-1]
    crawl = events["closed"] - events["opened"]
    print(
        f"phases: start-up {events['opened']:.2f} s, crawl {crawl:.2f} s,"
        f" after the spider closed {events['exit'] - events['closed']:.2f} s"
    )
    # the workers start after the first sample: count them from their first sample on
    seen = {pid: s["workers"][pid] for s in reversed(samples) for pid in s["workers"]}
    ran, waited, work_ran, work_waited = _delta(last, {**first, "workers": seen})
    print(
        f"in the crawl ({crawl:.1f} s): crawler thread on a core {ran:.2f} s, runnable but"
        f" waiting for a core {waited:.2f} s; workers ({len(seen)}) on a core {work_ran:.2f} s,"
        f" waiting for a core {work_waited:.2f} s"
    )
    peaks = samples[-1]["peaks"]
    print(
        f"peak memory: crawler {peaks[0]:.0f} MB at the spider's close, {exit_peak:.0f} MB at"
        f" exit; workers {', '.join(f'{p:.0f}' for p in peaks[1:])} MB"
    )
    print(
        "crawler's memory highs (s after the spider opened: MB): "
        + ", ".join(f"{r['t'] - events['opened']:.1f}: {r['rss']:.0f}" for r in highs[-8:])
    )
    print()
    print(
        f"{'t':>5} {'crawl':>5} {'c.wait':>6} {'work':>5} {'w.wait':>6} {'lag ms':>6} {'dl':>3}"
        f" {'sched':>5} {'MB':>7} {'sa':>4} {'KB':>5} {'items':>5} {'jobs':>5} {'resp/s':>6}"
        f" {'items/s':>7}"
    )
    previous = first
    for sample in samples[1:]:
        if sample["t"] - previous["t"] < 1.0 and sample is not last:
            continue
        span = sample["t"] - previous["t"]
        window = [s for s in samples if previous["t"] < s["t"] <= sample["t"]]
        c_ran, c_wait, w_ran, w_wait = _delta(sample, previous)

        def mean(key: str, window: list[dict[str, Any]] = window) -> float:
            return sum(s[key] for s in window) / len(window)

        print(
            f"{sample['t'] - events['opened']:5.1f} {c_ran / span:5.0%} {c_wait / span:6.0%}"
            f" {w_ran / span:5.0%} {w_wait / span:6.0%}"
            f" {max(s['lag'] for s in window) * 1000:6.0f} {mean('downloading'):3.0f}"
            f" {mean('scheduled'):5.0f} {sample['rss']:3.0f}+{sample['worker_rss']:3.0f}"
            f" {mean('scraper_active'):4.0f}"
            f" {mean('scraper_bytes') / 1024:5.0f} {mean('items'):5.1f} {mean('jobs'):5.1f}"
            f" {(sample['responses'] - previous['responses']) / span:6.0f}"
            f" {(sample['scraped'] - previous['scraped']) / span:7.0f}"
        )
        previous = sample
    body = samples[1:]
    share = len(body) or 1
    backout = sum(1 for s in body if s["scraper_bytes"] > 2_000_000) / share
    idle_pool = sum(1 for s in body if s["jobs"] == 0) / share
    full_downloader = sum(1 for s in body if s["downloading"] >= 32) / share
    print()
    print(
        f"samples: {len(body)}; scraper slot over 2 MB (no new downloads) {backout:.0%},"
        f" no job in the worker pool {idle_pool:.0%}, downloader full (32) {full_downloader:.0%},"
        f" median lag {sorted(s['lag'] for s in body)[len(body) // 2] * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between samples")
    parser.add_argument("--workers", type=int, default=None, help="analysis_workers")
    parser.add_argument("--jsonl", type=Path, help="keep the samples in this file")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    with tempfile.TemporaryDirectory() as tmp:
        out = args.jsonl or Path(tmp) / "timeline.jsonl"
        out.unlink(missing_ok=True)
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        run(args.articles, args.interval, args.workers, out)
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        summarise(out)


if __name__ == "__main__":
    main()
