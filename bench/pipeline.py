"""End-to-end crawl benchmark: crawl + extraction + analysis + indexing of a loopback site.

Usage: python bench/pipeline.py [--articles 2000]

Serves ``synthetic_site(N)`` (20 articles per list page, RSS and sitemap) on
127.0.0.1 and, in the same run, crawls it twice in child processes:

- baseline: a plain Scrapy spider following the same list pages, CSS selectors only;
- hotwatch: ``hotwatch crawl`` (the full pipeline into a fresh SQLite store).

Prints articles/s and the peak resident memory of each child, and the ratios.
Targets: at least 100 articles/s and under 300 MB for hotwatch.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from hotwatch.demo.server import serve
from hotwatch.demo.site import synthetic_site

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
CONFIG = """
[crawl]
autothrottle = false
concurrency_per_domain = 16
revisit_hours = 24

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{url}/news/index.html"]
max_list_pages = 1000

[[plans]]
name = "default"
rule = "(12345 OR 市长热线) AND (辱骂 OR 态度恶劣 OR 打不通 OR 推诿 OR 办结)"
"""


PEAK = (
    "import atexit, resource, sys; atexit.register(lambda: print('PEAK_KB', "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); "
)


def run_child(script: Path, code: str, *args: str) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB (reported by the child itself), and its stdout.

    The code runs from a file: Scrapy reads spider callbacks' source code.
    """
    script.write_text(PEAK + code, encoding="utf-8")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - started
    peak_kb = int(result.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return elapsed, peak_kb // 1024, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    site = synthetic_site(args.articles)
    with serve(site) as server, tempfile.TemporaryDirectory() as tmp:
        baseline_s, baseline_mb, out = run_child(
            Path(tmp) / "baseline.py", BASELINE, f"{server.url}/news/index.html"
        )
        baseline_n = int(out.strip().splitlines()[-1])
        config = Path(tmp) / "hotwatch.toml"
        config.write_text(CONFIG.format(url=server.url), encoding="utf-8")
        ours_s, ours_mb, out = run_child(
            Path(tmp) / "ours.py",
            "import sys; from hotwatch.cli import main; sys.argv[0] = 'hotwatch'; main()",
            "--config",
            str(config),
            "--data-dir",
            f"{tmp}/data",
            "crawl",
            "--json",
        )
        summary = json.loads(out)["sources"][0]
    ours_n = summary["new"]
    rows = [
        ("plain Scrapy (CSS only)", baseline_n, baseline_s, baseline_mb),
        ("hotwatch crawl (full)", ours_n, ours_s, ours_mb),
    ]
    print(f"{'pipeline':26} {'articles':>8} {'seconds':>8} {'art/s':>7} {'peak MB':>8}")
    for name, n, seconds, mb in rows:
        print(f"{name:26} {n:8d} {seconds:8.1f} {n / seconds:7.1f} {mb:8d}")
    print(
        f"hotwatch / baseline: speed x{(ours_n / ours_s) / (baseline_n / baseline_s):.2f}, "
        f"memory x{ours_mb / max(baseline_mb, 1):.2f}; relevant {summary['relevant']}"
    )


if __name__ == "__main__":
    main()
