"""End-to-end crawl benchmark: crawl + extraction + analysis + indexing of a loopback site.

Usage: python bench/pipeline.py [--articles 2000] [--runs 3] [--workers 0,1,2] [--no-stages]
                                [--against DIR]

Serves ``synthetic_site(N)`` (20 articles per list page, so 100 list pages for
2,000 articles, plus RSS and a sitemap) on 127.0.0.1 and, in the same run, crawls
it ``--runs`` times with each pipeline, each crawl in a child process of its own,
the pipelines taking turns so that a busy machine slows them alike:

- baseline: a plain Scrapy spider following the same list pages, CSS selectors
  only (the ``h1`` title and the text of every ``p``), items thrown away;
- hotwatch: ``hotwatch crawl`` (fetch, extraction, analysis, incidents and
  indexing into a fresh SQLite store) with ``analysis_workers`` = each of
  ``--workers`` (0 = extraction and analysis inline), and with the configuration
  left unset (the default, by core count);
- with ``--against DIR``: the same hotwatch crawls again with the code of another
  checkout (``DIR`` on ``PYTHONPATH``, its extensions built in place), so a change is measured
  against the tree before it in the same rounds.

Prints, per pipeline, the median articles/s with the spread of the runs, the
median CPU seconds (crawler process and analysis workers), the peak resident memory
(crawler process plus each worker at the largest worker's peak) and the ratios to
plain Scrapy, medians of the per-run ratios. Then one more inline crawl runs under
cProfile and ``bench/pipeline_stages.py`` prints the CPU per stage.
Budgets for the default crawl: >= 0.8x plain Scrapy's articles/s, CPU per article
<= 2x plain Scrapy's, peak <= 300 MB, every article stored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline_stages import print_stages  # bench/ is the script's directory

from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site

TARGET_SPEED = 0.8  # x plain Scrapy's articles/s
TARGET_CPU = 2.0  # x plain Scrapy's CPU per article
TARGET_PEAK_MB = 300
BASELINE = textwrap.dedent(
    """
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Plain(scrapy.Spider):
        name = "plain"
        start_urls = [sys.argv[1]]

        def parse(self, response):
            for href in response.css("ul.news-list a::attr(href)").getall():
                yield response.follow(href, self.parse_article)
            for href in response.css("div.pages a::attr(href)").getall():
                yield response.follow(href, self.parse)

        def parse_article(self, response):
            yield {"title": response.css("h1::text").get(),
                   "text": "\\n".join(response.css("p::text").getall())}

    process = CrawlerProcess({"LOG_ENABLED": False, "CONCURRENT_REQUESTS": 32,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ROBOTSTXT_OBEY": True})
    crawler = process.create_crawler(Plain)
    process.crawl(crawler)
    process.start()
    print(crawler.stats.get_value("item_scraped_count", 0))
    """
)
# The guard matters: the analysis workers are spawned and re-import the main module.
HOTWATCH = (
    "import sys\nfrom hotwatch.cli import main\nif __name__ == '__main__':\n"
    "    sys.argv[0] = 'hotwatch'\n    sys.exit(main())\n"
)
# The profiler times calls in CPU seconds (process_time), not wall clock: on a loaded
# machine a wall-clock profile charges each function for the time it waited for a core.
PROFILED = textwrap.dedent(
    """
    import cProfile, sys, time
    if __name__ == "__main__":
        from hotwatch.cli import cli
        sys.argv[0] = "hotwatch"
        profile = sys.argv.pop(1)
        profiler = cProfile.Profile(time.process_time)
        try:
            profiler.runcall(cli.main, prog_name="hotwatch", standalone_mode=False)
        except SystemExit:
            pass
        finally:
            profiler.dump_stats(profile)
    """
)
CONFIG = """
[crawl]
autothrottle = false
concurrency_per_domain = 16
revisit_hours = 24
{workers}

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{url}/news/index.html"]
max_list_pages = 1000

[[plans]]
name = "default"
rule = "(12345 OR 市长热线) AND (辱骂 OR 态度恶劣 OR 打不通 OR 推诿 OR 办结 OR 泄露)"
"""
# Each child reports its own peak RSS and CPU and its largest child's peak on exit, so
# the server in this process is not counted.
PEAK = (
    "import atexit, resource, sys; atexit.register(lambda: print('USAGE', "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
    "resource.getrusage(resource.RUSAGE_SELF).ru_utime "
    "+ resource.getrusage(resource.RUSAGE_SELF).ru_stime, file=sys.stderr)); "
)


@dataclass
class Run:
    articles: int
    seconds: float
    cpu_seconds: float  # crawler process and its workers
    crawler_cpu: float  # the crawler process alone
    peak_mb: float
    relevant: int = 0

    @property
    def rate(self) -> float:
        return self.articles / self.seconds

    @property
    def cpu_per_article(self) -> float:
        return self.cpu_seconds / max(self.articles, 1)


@dataclass
class Pipeline:
    name: str
    workers: int | None  # None: the plain Scrapy baseline or the configured default
    default: bool = False
    runs: list[Run] | None = None
    tree: str | None = None  # another checkout's code (--against), on PYTHONPATH


def run_child(
    script: Path, code: str, *args: str, workers: int = 0, tree: str | None = None
) -> tuple[Run, str]:
    """A run of ``code`` as a script (Scrapy reads spider callbacks' source code) and its stdout.

    Peak memory counts the child and each of its ``workers`` at the largest one's peak.
    With ``tree`` the child (and its spawned workers) import that checkout's code.
    """
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [tree, env.get("PYTHONPATH")]))
    script.write_text(PEAK + code, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0 or "USAGE" not in result.stderr:
        sys.exit(f"{script.name} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    own_kb, child_kb, own_cpu = result.stderr.rsplit("USAGE", 1)[1].split()[:3]
    peak_mb = (int(own_kb) + workers * int(child_kb)) / 1024
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(0, elapsed, cpu, float(own_cpu), peak_mb), result.stdout


def baseline(tmp: Path, url: str) -> Run:
    run, out = run_child(tmp / "baseline.py", BASELINE, f"{url}/news/index.html")
    run.articles = int(out.strip().splitlines()[-1])
    return run


def default_workers() -> int:
    from hotwatch.config import default_analysis_workers

    return default_analysis_workers()


def crawl_args(tmp: Path, url: str, workers: int | None, tag: str) -> list[str]:
    config = tmp / f"hotwatch-{tag}.toml"
    line = "" if workers is None else f"analysis_workers = {workers}"
    config.write_text(CONFIG.format(url=url, workers=line), encoding="utf-8")
    data = tmp / f"data-{tag}-{time.monotonic_ns()}"
    return ["--config", str(config), "--data-dir", str(data), "crawl", "--json"]


def hotwatch(tmp: Path, url: str, pipeline: Pipeline) -> Run:
    workers = default_workers() if pipeline.workers is None else pipeline.workers
    args = crawl_args(tmp, url, pipeline.workers, pipeline.name.replace(" ", "_"))
    run, out = run_child(
        tmp / "hotwatch_crawl.py", HOTWATCH, *args, workers=workers, tree=pipeline.tree
    )
    summary = json.loads(out)["sources"][0]
    run.articles, run.relevant = summary["new"], summary["relevant"]
    return run


def profile_inline(tmp: Path, url: str) -> Path:
    profile = tmp / "inline.prof"
    args = crawl_args(tmp, url, 0, "profiled")
    run_child(tmp / "hotwatch_profiled.py", PROFILED, str(profile), *args)
    return profile


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(pipelines: list[Pipeline], expected: int) -> bool:
    """Print the table and the verdict; True when the default crawl meets every budget."""
    plain = pipelines[0]
    assert plain.runs is not None
    header = (
        f"{'pipeline':28} {'art/s':>7} {'spread':>13} {'speed':>6} {'CPU s':>6}"
        f" {'crawler':>7} {'CPU/art':>7} {'peak MB':>7} {'stored':>6} {'relevant':>8}"
    )
    print(header)
    print("-" * len(header))
    verdict = True
    for pipeline in pipelines:
        runs = pipeline.runs
        assert runs is not None
        rates = [r.rate for r in runs]
        speed = median([r.rate / p.rate for r, p in zip(runs, plain.runs, strict=True)])
        cpu = median(
            [r.cpu_per_article / p.cpu_per_article for r, p in zip(runs, plain.runs, strict=True)]
        )
        peak = max(r.peak_mb for r in runs)
        stored = min(r.articles for r in runs)
        relevant = sorted({r.relevant for r in runs})
        print(
            f"{pipeline.name:28} {median(rates):7.1f} {min(rates):6.1f}-{max(rates):<6.1f}"
            f" x{speed:5.2f} {median([r.cpu_seconds for r in runs]):6.1f}"
            f" {median([r.crawler_cpu for r in runs]):7.1f} x{cpu:6.2f} {peak:7.0f}"
            f" {stored:6d} {'/'.join(map(str, relevant)):>8}"
        )
        if pipeline.default:
            verdict = (
                speed >= TARGET_SPEED
                and cpu <= TARGET_CPU
                and peak <= TARGET_PEAK_MB
                and stored == expected
            )
            budgets = (
                f"speed x{speed:.2f} (>= x{TARGET_SPEED}), CPU per article x{cpu:.2f}"
                f" (<= x{TARGET_CPU}), peak {peak:.0f} MB (<= {TARGET_PEAK_MB}),"
                f" stored {stored}/{expected}"
            )
    print("-" * len(header))
    print("speed and CPU/art: medians of the per-run ratios to plain Scrapy in the same round")
    print(f"default crawl: {budgets}: {'met' if verdict else 'MISSED'}")
    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles on the site")
    parser.add_argument("--runs", type=int, default=3, help="crawls of each pipeline")
    parser.add_argument(
        "--workers",
        default="0,1,2",
        help="analysis_workers values to crawl with, besides the default",
    )
    parser.add_argument("--no-stages", action="store_true", help="skip the profiled inline crawl")
    parser.add_argument(
        "--against",
        metavar="DIR",
        help="another hotwatch checkout (extensions built) whose crawls run in the same rounds",
    )
    args = parser.parse_args()
    if args.against and not (Path(args.against) / "hotwatch" / "__init__.py").is_file():
        sys.exit(f"--against {args.against}: not a hotwatch checkout")
    site = synthetic_site(args.articles)
    lists = sum(1 for path in site.pages if path.startswith("/news/index"))
    print(
        f"synthetic site: {args.articles} articles, {lists} list pages, RSS, sitemap;"
        f" {os.cpu_count()} cores, default analysis_workers = {default_workers()}"
    )
    pipelines = [Pipeline("plain Scrapy (CSS only)", None)]
    trees = [("against", str(Path(args.against).resolve()))] if args.against else []
    for label, tree in [*trees, ("hotwatch", None)]:
        for workers in (int(w) for w in args.workers.split(",") if w.strip()):
            name = f"{label}, inline" if workers == 0 else f"{label}, {workers} worker(s)"
            pipelines.append(Pipeline(name, workers, tree=tree))
        pipelines.append(Pipeline(f"{label}, default", None, default=tree is None, tree=tree))
    for pipeline in pipelines:
        pipeline.runs = []
    with serve(site) as server, tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for pipeline in pipelines:
                run = (
                    baseline(Path(tmp), server.url)
                    if pipeline is pipelines[0]
                    else hotwatch(Path(tmp), server.url, pipeline)
                )
                pipeline.runs.append(run)  # type: ignore[union-attr]
        report(pipelines, args.articles)
        if not args.no_stages:
            print()
            inline = next((p for p in pipelines if p.workers == 0 and p.tree is None), None)
            inline_cpu = median([r.cpu_seconds for r in inline.runs]) if inline else 0.0
            print_stages(profile_inline(Path(tmp), server.url), inline_cpu, args.articles)


if __name__ == "__main__":
    main()
