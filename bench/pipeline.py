"""End-to-end crawl benchmark: crawl + extraction + analysis + indexing of a loopback site.

Usage: python bench/pipeline.py [--articles 2000]

Serves ``synthetic_site(N)`` (20 articles per list page, so 100 list pages for
2,000 articles, plus RSS and a sitemap) on 127.0.0.1 and, in the same run, crawls
it twice, each in a child process of its own:

- baseline: a plain Scrapy spider following the same list pages, CSS selectors
  only (the ``h1`` title and the text of every ``p``), items thrown away;
- hotwatch: ``hotwatch crawl`` (fetch, extraction, analysis, incidents and
  indexing into a fresh SQLite store), once with extraction and analysis inline
  (``analysis_workers = 0``) and once in the default child process.

Prints wall time, articles/s, CPU seconds and the peak resident memory of each
child (its own ``ru_maxrss`` plus its largest child's), and the ratios hotwatch/baseline.
Targets: at least 100 articles/s and a peak under 300 MB for hotwatch.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from hotwatch.demo.server import serve
from hotwatch.demo.site import synthetic_site

TARGET_RATE = 100.0
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
# The guard matters: the analysis worker is spawned and re-imports the main module.
HOTWATCH = (
    "import sys\nfrom hotwatch.cli import main\nif __name__ == '__main__':\n"
    "    sys.argv[0] = 'hotwatch'\n    sys.exit(main())\n"
)
CONFIG = """
[crawl]
autothrottle = false
concurrency_per_domain = 16
revisit_hours = 24
analysis_workers = {workers}

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{url}/news/index.html"]
max_list_pages = 1000

[[plans]]
name = "default"
rule = "(12345 OR 市长热线) AND (辱骂 OR 态度恶劣 OR 打不通 OR 推诿 OR 办结 OR 泄露)"
"""
# Each child reports its own peak RSS on exit, so the server in this process is not counted.
PEAK = (
    "import atexit, resource, sys; atexit.register(lambda: print('PEAK_KB', "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss "
    "+ resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)); "
)


@dataclass
class Run:
    name: str
    articles: int
    seconds: float
    cpu_seconds: float
    peak_mb: float

    @property
    def rate(self) -> float:
        return self.articles / self.seconds

    @property
    def cpu_per_article(self) -> float:
        return self.cpu_seconds / max(self.articles, 1)


def run_child(script: Path, code: str, *args: str) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and stdout of ``code`` run as a script.

    The code runs from a file because Scrapy reads spider callbacks' source code.
    """
    script.write_text(PEAK + code, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0 or "PEAK_KB" not in result.stderr:
        sys.exit(f"{script.name} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    peak_kb = int(result.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, peak_kb / 1024, result.stdout


def baseline(tmp: Path, url: str) -> Run:
    seconds, cpu, peak, out = run_child(tmp / "baseline.py", BASELINE, f"{url}/news/index.html")
    return Run("plain Scrapy (CSS only)", int(out.strip().splitlines()[-1]), seconds, cpu, peak)


def hotwatch(tmp: Path, url: str, workers: int) -> tuple[Run, dict]:
    config = tmp / f"hotwatch-{workers}.toml"
    config.write_text(CONFIG.format(url=url, workers=workers), encoding="utf-8")
    data = tmp / f"data-{workers}"
    args = ["--config", str(config), "--data-dir", str(data), "crawl", "--json"]
    seconds, cpu, peak, out = run_child(tmp / "hotwatch_crawl.py", HOTWATCH, *args)
    summary = json.loads(out)["sources"][0]
    name = f"hotwatch, {workers} worker" if workers else "hotwatch, inline"
    return Run(name, summary["new"], seconds, cpu, peak), summary


def report(runs: list[Run], summary: dict, expected: int) -> None:
    header = (
        f"{'pipeline':26} {'articles':>8} {'seconds':>8} {'art/s':>7} {'CPU s':>7} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r.name:26} {r.articles:8d} {r.seconds:8.1f} {r.rate:7.1f}"
            f" {r.cpu_seconds:7.1f} {r.peak_mb:8.0f}"
        )
    plain, *variants = runs
    ours = variants[-1]
    print("-" * len(header))
    for run in variants:
        print(
            f"{run.name} / baseline: speed x{run.rate / plain.rate:.2f}, "
            f"CPU per article x{run.cpu_per_article / plain.cpu_per_article:.2f}, "
            f"peak memory x{run.peak_mb / plain.peak_mb:.2f}"
        )
    print(
        f"hotwatch stored {ours.articles}/{expected} articles, {summary['relevant']} relevant, "
        f"{summary['errors']} errors, {summary['skipped']} skipped, "
        f"{summary['duplicates']} duplicates"
    )
    rate_ok = "met" if ours.rate >= TARGET_RATE else "MISSED"
    peak_ok = "met" if ours.peak_mb < TARGET_PEAK_MB else "MISSED"
    print(
        f"target >= {TARGET_RATE:.0f} articles/s: {rate_ok}; peak < {TARGET_PEAK_MB} MB: {peak_ok}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles on the site")
    args = parser.parse_args()
    site = synthetic_site(args.articles)
    lists = sum(1 for path in site.pages if path.startswith("/news/index"))
    print(f"synthetic site: {args.articles} articles, {lists} list pages, RSS, sitemap")
    with serve(site) as server, tempfile.TemporaryDirectory() as tmp:
        plain = baseline(Path(tmp), server.url)
        inline, _ = hotwatch(Path(tmp), server.url, workers=0)
        ours, summary = hotwatch(Path(tmp), server.url, workers=1)
    report([plain, inline, ours], summary, args.articles)


if __name__ == "__main__":
    main()
