"""Real Scrapy crawls of the loopback fixture site, through the real CLI; assertions on the store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index import SearchQuery, open_store
from tests.site_server import (
    DUPLICATE_TITLE,
    GBK_HEADER_TITLE,
    GBK_META_TITLE,
    MALFORMED_TITLE,
    site_url,  # noqa: F401 (a fixture)
)

PUBLIC_SAMPLE_ARTICLES = 14
CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 3
max_size = 200000
autothrottle = false
retry_times = 1

[index]
backend = "sqlite"

[[plans]]
name = "default"
rule = "(12345 OR 市长热线) AND (骂 OR 辱骂 OR 打不通 OR 无人接听 OR 推诿 OR 泄露 OR 办结 OR 态度恶劣)"
"""


def source(name: str, kind: str, url: str) -> str:
    return f'\n[[sources]]\nname = "{name}"\ntype = "{kind}"\nstart_urls = ["{url}"]\ntier = 3\n'


def hotwatch(tmp: Path, *args: str, config: str = CONFIG) -> subprocess.CompletedProcess[str]:
    config_path = tmp / "hotwatch.toml"
    config_path.write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "hotwatch", "--config", str(config_path)]
    command += ["--data-dir", str(tmp / "data"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def crawl(tmp: Path, config: str, *args: str) -> dict:
    result = hotwatch(tmp, "crawl", "--json", *args, config=config)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {s["name"]: s for s in json.loads(result.stdout)["sources"]}


def stored(tmp: Path) -> list:
    store = open_store({"backend": "sqlite"}, tmp / "data")
    try:
        return list(store.iter_documents())
    finally:
        store.close()


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory, site_url):  # noqa: F811
    tmp = tmp_path_factory.mktemp("site")
    config = (
        CONFIG
        + source("fixture-site", "site", f"{site_url}/news/index.html")
        + source("failures", "site", f"{site_url}/failures/index.html")
    )
    summary = crawl(tmp, config)
    return tmp, config, summary


def test_list_pages_and_pagination_reach_every_public_article(site_crawl):
    tmp, _, summary = site_crawl
    docs = stored(tmp)
    sample = [d for d in docs if "/news/20" in d.url]
    assert len(sample) == PUBLIC_SAMPLE_ARTICLES
    assert summary["fixture-site"]["new"] == PUBLIC_SAMPLE_ARTICLES
    assert not [d for d in docs if "/private/" in d.url]  # robots.txt: Disallow: /private/


def test_gbk_pages_decode_by_header_and_by_meta(site_crawl):
    titles = {d.title for d in stored(site_crawl[0])}
    assert GBK_HEADER_TITLE in titles
    assert GBK_META_TITLE in titles
    assert "社区举办邻里文化节 居民欢聚一堂" in titles  # a GBK page of the sample site


def test_one_article_under_two_urls_and_a_redirect_are_stored_once(site_crawl):
    docs = stored(site_crawl[0])
    assert [d.title for d in docs].count(DUPLICATE_TITLE) == 1
    insult = [d for d in docs if d.url.endswith("xinxiang-12345-operator-insult.html")]
    assert len(insult) == 1


def test_failures_are_counted_and_the_crawl_finishes(site_crawl):
    failures = site_crawl[2]["failures"]
    messages = " ".join(failures["messages"])
    assert "404-20210510.html: HTTP 404" in messages
    assert "500-20210511.html: " in messages  # HTTP 500, or a timeout on a loaded machine
    assert "/slow/" in messages  # timed out
    assert failures["errors"] >= 3
    assert failures["skipped"] >= 2  # the PDF and the oversized page
    urls = " ".join(d.url for d in stored(site_crawl[0]))
    assert ".pdf" not in urls and "big-" not in urls


def test_malformed_html_is_extracted(site_crawl):
    docs = {d.title: d for d in stored(site_crawl[0])}
    assert MALFORMED_TITLE in docs
    assert "接线员态度恶劣" in docs[MALFORMED_TITLE].text


def test_relevant_reports_are_searchable_and_hard_negatives_are_not_relevant(site_crawl):
    tmp = site_crawl[0]
    result = hotwatch(tmp, "search", "12345", "--json", "--limit", "100")
    hits = json.loads(result.stdout)["hits"]
    relevant_titles = {h["title"] for h in hits}
    assert any("不要脸" in t for t in relevant_titles)
    assert any("无人接听" in t for t in relevant_titles)
    docs = {d.title: d for d in stored(tmp)}
    assert not docs["男子多次拨打12345热线辱骂接线员 被行政拘留7日"].relevant
    assert not docs["暖心！市民送锦旗为12345热线点赞"].relevant
    assert not docs["5月份12345热线受理情况通报：受理量同比增长12%"].relevant


def test_reposts_rewrites_and_responses_share_one_incident(site_crawl):
    docs = [d for d in stored(site_crawl[0]) if "新乡" in d.title or "新乡" in d.text[:80]]
    xinxiang = {d.incident_id for d in docs if d.relevant}
    assert len(xinxiang) == 1 and None not in xinxiang


def test_a_second_crawl_fetches_nothing_fresh_again_and_duplicates_nothing(site_crawl):
    tmp, config, _ = site_crawl
    before = len(stored(tmp))
    summary = crawl(tmp, config)
    assert summary["fixture-site"]["fresh"] >= PUBLIC_SAMPLE_ARTICLES
    assert summary["fixture-site"]["new"] == 0
    assert len(stored(tmp)) == before


@pytest.mark.parametrize(("kind", "path"), [("rss", "/rss.xml"), ("sitemap", "/sitemap.xml")])
def test_feed_and_sitemap_sources(tmp_path, site_url, kind, path):  # noqa: F811
    summary = crawl(tmp_path, CONFIG + source("feed", kind, f"{site_url}{path}"))
    assert summary["feed"]["new"] == PUBLIC_SAMPLE_ARTICLES
    assert len(stored(tmp_path)) == PUBLIC_SAMPLE_ARTICLES


@pytest.mark.parametrize("path", ["/news/index.html", "/rss.xml", "/sitemap.xml"])
def test_adhoc_url_is_recognised_by_its_content(tmp_path, site_url, path):  # noqa: F811
    summary = crawl(tmp_path, CONFIG, "--url", f"{site_url}{path}", "--max-pages", "5")
    (only,) = summary.values()
    assert only["new"] == 5
    store = open_store({"backend": "sqlite"}, tmp_path / "data")
    try:
        assert store.search(SearchQuery(relevant_only=False)).total == 5
    finally:
        store.close()


def test_unreachable_source_ends_with_a_per_source_error(tmp_path):
    summary = crawl(tmp_path, CONFIG + source("gone", "rss", "http://127.0.0.1:1/rss.xml"))
    assert summary["gone"]["errors"] >= 1
    assert "127.0.0.1:1" in summary["gone"]["messages"][0]


def test_broken_configuration_is_a_one_line_error(tmp_path):
    result = hotwatch(tmp_path, "crawl", config="[crawl\n")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
