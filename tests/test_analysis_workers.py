"""Extraction and analysis spread over worker processes store what inline analysis stores.

Real crawls, through the real CLI, of the generated demo site served on loopback: once
with ``analysis_workers = 0`` and once with 2, compared document by document.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.analyse import AnalysisOptions
from analysis.extract import ExtractOptions
from analysis.relevance import event_routes
from crawler.pagework import PageJob, PageResult, work_page
from crawler.pipelines.worker import AnalysisWorker
from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site
from tests.test_crawl import crawl, hotwatch, stored
from tests.worker_probe import echo_size, exit_unless_in, loaded_modules

ARTICLES = 60
CONFIG = """
[crawl]
autothrottle = false
concurrency_per_domain = 16
analysis_workers = {workers}

[[sources]]
name = "synthetic"
type = "site"
start_urls = ["{url}/news/index.html"]

[[plans]]
name = "default"
rule = "(12345 OR 市长热线) AND (辱骂 OR 态度恶劣 OR 打不通 OR 推诿 OR 办结 OR 泄露)"
"""
PAGE = (
    "<html><head><title>市民拨打12345热线遭接线员辱骂</title></head><body><article>"
    "<h1>市民拨打12345热线遭接线员辱骂</h1>"
    + "<p>河南省新乡市一名市民拨打12345市长热线反映小区停水问题，接线员态度恶劣，"
    "对其辱骂，工单被直接办结。市民随后向市政府投诉。</p>" * 4
    + "</article></body></html>"
)
PAGE_JOB = PageJob(
    body=PAGE.encode(),
    content_type="text/html; charset=utf-8",
    url="http://news.example.com/2021/07/12/12345.html",
    fetched_at=datetime(2021, 7, 12, tzinfo=UTC),
    options=ExtractOptions(),
    analysis=AnalysisOptions(),
    min_text_chars=80,
)
# When each run fetched a page is the one thing that may differ.
FETCH_TIMES = {"fetched_at"}


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    with serve(synthetic_site(ARTICLES, seed=7, per_page=10)) as server:
        yield server.url


def documents(tmp: Path, url: str, workers: int) -> dict[str, dict]:
    tmp.mkdir()
    summary = crawl(tmp, CONFIG.format(url=url, workers=workers))["synthetic"]
    assert summary["new"] == ARTICLES, summary
    return {
        doc.url: {k: v for k, v in dataclasses.asdict(doc).items() if k not in FETCH_TIMES}
        for doc in stored(tmp)
    }


def test_two_workers_store_the_documents_inline_analysis_stores(tmp_path, site_url):
    inline = documents(tmp_path / "inline", site_url, 0)
    spread = documents(tmp_path / "spread", site_url, 2)
    assert len(inline) == ARTICLES
    assert sum(doc["relevant"] for doc in inline.values()) > 0
    assert sum(doc["incident_id"] is not None for doc in inline.values()) > 0
    # Made with the analysis for placing: every page placed has its fingerprint.
    placed = [  # relevant, or may join an incident (and then relevant if it did)
        doc["relevant"] or event_routes(doc["relevant"], doc["relevance"], doc["reasons"])
        for doc in inline.values()
    ]
    assert [doc["fingerprint"] is not None for doc in inline.values()] == list(map(bool, placed))
    assert spread.keys() == inline.keys()
    for url, document in inline.items():
        for name, value in document.items():
            assert spread[url][name] == value, (url, name)


def test_two_workers_both_take_pages(tmp_path, site_url):
    config = CONFIG.format(url=site_url, workers=2)
    result = hotwatch(tmp_path, "-v", "crawl", config=config)
    assert result.returncode == 0, result.stderr
    assert f"extraction and analysis: {ARTICLES} jobs in 2 worker processes" in result.stderr


def test_a_worker_loads_analysis_not_scrapy():
    """Workers import crawler.pagework and the analysis; a second Scrapy (or the CLI)
    in each would cost memory and start-up for nothing."""
    worker = AnalysisWorker(1)

    async def jobs() -> tuple[PageResult, list[str]]:
        return await worker.run(work_page, PAGE_JOB), await worker.run(loaded_modules)

    try:
        result, modules = asyncio.run(jobs())
    finally:
        worker.close()
    assert "crawler.pagework" in modules
    assert not [m for m in modules if m.split(".")[0] in ("scrapy", "twisted", "click")]
    assert result.analysis is not None and result.analysis.relevant
    assert result.fingerprint is not None


def test_jobs_run_at_once_each_answered_with_its_own_result_or_error():
    """Jobs in flight together on two workers come back to their own callers, large ones
    (more than a pipe holds) too; a job's exception is raised in the crawler process as
    an inline call would raise it."""
    worker = AnalysisWorker(2)

    async def jobs() -> list[object]:
        sizes = [10, 300_000, 5, 2_000_000, 70_000, 1]
        echoed = [worker.run(echo_size, b"x" * size) for size in sizes]
        results = await asyncio.gather(*echoed, worker.run(int, "not a number"),
                                       return_exceptions=True)
        return [sizes, *results]

    try:
        sizes, *results = asyncio.run(jobs())
    finally:
        worker.close()
    assert [size for size, _ in results[:-1]] == sizes
    assert {pid for _, pid in results[:-1]} == worker.pids and os.getpid() not in worker.pids
    assert isinstance(results[-1], ValueError)
    assert worker.jobs == len(sizes)


def test_calls_waiting_for_a_busy_worker_go_to_it_together_each_answered_in_turn():
    """While a worker has its batches, further calls wait and then go as one batch; each
    caller still gets its own answer."""
    worker = AnalysisWorker(1)

    async def jobs() -> list[tuple[int, int]]:
        return await asyncio.gather(*(worker.run(echo_size, b"x" * size) for size in range(40)))

    try:
        answers = asyncio.run(jobs())
    finally:
        worker.close()
    assert [size for size, _ in answers] == list(range(40))
    assert worker.jobs == 40
    # two sent alone at once (a running batch and a queued one), the rest in batches of 16
    assert worker.batches_sent == 2 + 3 and worker.batches == 0 and not worker.waiting


def test_a_worker_that_dies_leaves_its_jobs_to_the_crawler_process():
    worker = AnalysisWorker(1)
    crawler = os.getpid()

    async def jobs() -> list[str]:
        return [await worker.run(exit_unless_in, crawler) for _ in range(2)]

    try:
        answers = asyncio.run(jobs())
    finally:
        worker.close()
    assert answers == ["ran in the crawler process"] * 2  # the second without a worker
    assert worker.executor is None and worker.jobs == 0
