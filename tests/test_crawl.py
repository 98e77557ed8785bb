"""Real Scrapy crawls of the loopback fixture site, through the real CLI; assertions on the store.

One crawl of the sample site and the failure pages (module-scoped) feeds most
assertions; feeds, sitemaps, ad-hoc URLs and broken set-ups get small crawls of
their own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from index import SearchQuery, StoredDocument, open_store
from tests.site_server import (
    DUPLICATE_TITLE,
    GBK_HEADER_TITLE,
    GBK_META_TITLE,
    MALFORMED_TITLE,
    MOVED_PATH,
    MOVED_TITLE,
    REQUEST_LOG,
    site_url,  # noqa: F401 (a fixture)
)

PUBLIC_SAMPLE_ARTICLES = 14
INSULT_TITLE = "新乡一市民拨打12345热线反映问题 接线员忘挂电话骂其“不要脸”"
GBK_SAMPLE_TITLE = "社区举办邻里文化节 居民欢聚一堂"
DETAINED_TITLE = "男子多次拨打12345热线辱骂接线员 被行政拘留7日"
PRAISE_TITLE = "暖心！市民送锦旗为12345热线点赞"
STATISTICS_TITLE = "5月份12345热线受理情况通报：受理量同比增长12%"
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
    """Run the real CLI in a child process with ``config`` as its configuration file."""
    config_path = tmp / "hotwatch.toml"
    config_path.write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "hotwatch", "--config", str(config_path)]
    command += ["--data-dir", str(tmp / "data"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def crawl(tmp: Path, config: str, *args: str) -> dict[str, dict]:
    """``hotwatch crawl --json``: the per-source summaries by source name."""
    result = hotwatch(tmp, "crawl", "--json", *args, config=config)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {s["name"]: s for s in json.loads(result.stdout)["sources"]}


def stored(tmp: Path) -> list[StoredDocument]:
    store = open_store({"backend": "sqlite"}, tmp / "data")
    try:
        return list(store.iter_documents())
    finally:
        store.close()


def requested_paths(site: str) -> list[str]:
    """Every path the fixture site has been asked for in this session, in order."""
    with urllib.request.urlopen(site + REQUEST_LOG, timeout=10) as response:
        return json.load(response)


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


def test_list_pages_and_pagination_reach_every_public_article(site_crawl, site_url):  # noqa: F811
    tmp, _, summary = site_crawl
    docs = stored(tmp)
    sample = [d for d in docs if "/news/20" in d.url]
    assert len(sample) == PUBLIC_SAMPLE_ARTICLES
    # The failures source reaches one article through /go/<slug> too; either source may
    # store it first, and the other finds it unchanged.
    site = summary["fixture-site"]
    assert site["new"] + site["unchanged"] == PUBLIC_SAMPLE_ARTICLES
    assert site["new"] >= PUBLIC_SAMPLE_ARTICLES - 1
    assert not [d for d in docs if "/private/" in d.url]
    assert "/news/index_2.html" in requested_paths(site_url)  # followed 下一页 / page numbers


def test_robots_disallowed_page_is_never_fetched(site_crawl, site_url):  # noqa: F811
    paths = requested_paths(site_url)
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/private/")]


def test_utf8_and_gbk_pages_decode_to_the_exact_titles(site_crawl):
    titles = {d.title for d in stored(site_crawl[0])}
    assert INSULT_TITLE in titles  # UTF-8
    assert GBK_HEADER_TITLE in titles  # charset only in the Content-Type header
    assert GBK_META_TITLE in titles  # charset only in <meta charset=gb2312>
    assert GBK_SAMPLE_TITLE in titles  # a GBK page of the sample site


def test_article_metadata_comes_from_the_page(site_crawl):
    (doc,) = [d for d in stored(site_crawl[0]) if d.title == INSULT_TITLE]
    assert doc.published_at is not None
    assert doc.published_at.isoformat() == "2021-04-25T10:21:00+08:00"
    assert doc.outlet == "新乡日报"
    assert doc.author == "王晓"
    assert "不要脸" in doc.text and "责任编辑" not in doc.text and "网友评论" not in doc.text


def test_redirect_is_stored_once_under_its_final_url(site_crawl, site_url):  # noqa: F811
    docs = stored(site_crawl[0])
    moved = [d for d in docs if d.title == MOVED_TITLE]
    assert [d.url for d in moved] == [site_url + MOVED_PATH]
    assert not [d for d in docs if "/go/" in d.url]
    assert len([d for d in docs if d.title == INSULT_TITLE]) == 1  # also linked via /go/<slug>


def test_one_article_under_two_urls_is_stored_once(site_crawl, site_url):  # noqa: F811
    docs = stored(site_crawl[0])
    (doc,) = [d for d in docs if d.title == DUPLICATE_TITLE]
    assert doc.url == f"{site_url}/failures/2021/05/06/kaifeng-bounced.html"  # the canonical URL
    assert site_crawl[2]["failures"]["duplicates"] >= 1


def test_failures_are_counted_and_the_crawl_finishes(site_crawl):
    failures = site_crawl[2]["failures"]
    messages = " ".join(failures["messages"])
    assert "404-20210510.html: HTTP 404" in messages
    assert "500-20210511.html: " in messages  # HTTP 500, or a timeout on a loaded machine
    assert "/slow/" in messages  # timed out
    assert failures["errors"] >= 3


def test_oversized_pages_and_pdfs_are_skipped_not_stored(site_crawl, site_url):  # noqa: F811
    failures = site_crawl[2]["failures"]
    assert failures["skipped"] >= 2  # the extension-less PDF and the oversized page
    urls = " ".join(d.url for d in stored(site_crawl[0]))
    assert "/files/" not in urls and "big-" not in urls
    # A list page's link to a file by its extension is never fetched; without one it is.
    paths = requested_paths(site_url)
    assert "/files/download-20210509" in paths and "/files/report.pdf" not in paths


def test_malformed_html_is_extracted(site_crawl):
    docs = {d.title: d for d in stored(site_crawl[0])}
    assert MALFORMED_TITLE in docs
    assert "接线员态度恶劣" in docs[MALFORMED_TITLE].text


def test_relevant_reports_are_searchable_and_hard_negatives_are_not_relevant(site_crawl):
    tmp = site_crawl[0]
    result = hotwatch(tmp, "search", "12345", "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    relevant_titles = {h["title"] for h in hits}
    assert INSULT_TITLE in relevant_titles
    assert any("无人接听" in t for t in relevant_titles)
    assert all(h["relevant"] for h in hits)
    docs = {d.title: d for d in stored(tmp)}
    assert not docs[DETAINED_TITLE].relevant
    assert not docs[PRAISE_TITLE].relevant
    assert not docs[STATISTICS_TITLE].relevant
    assert not docs[GBK_SAMPLE_TITLE].relevant


def test_search_all_includes_the_stored_hard_negatives(site_crawl):
    result = hotwatch(site_crawl[0], "search", "12345", "--all", "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    titles = {h["title"] for h in json.loads(result.stdout)["hits"]}
    assert {DETAINED_TITLE, PRAISE_TITLE, INSULT_TITLE} <= titles


def test_reposts_rewrites_and_responses_share_one_incident(site_crawl):
    docs = [d for d in stored(site_crawl[0]) if "新乡" in d.title or "新乡" in d.text[:80]]
    xinxiang = {d.incident_id for d in docs if d.relevant}
    assert len(xinxiang) == 1 and None not in xinxiang


def test_a_second_crawl_fetches_nothing_fresh_again_and_duplicates_nothing(
    site_crawl,
    site_url,  # noqa: F811
):
    tmp, config, _ = site_crawl
    before = len(stored(tmp))
    already = len(requested_paths(site_url))
    summary = crawl(tmp, config)
    again = requested_paths(site_url)[already:]
    assert summary["fixture-site"]["fresh"] >= PUBLIC_SAMPLE_ARTICLES
    assert summary["fixture-site"]["fetched"] == 0
    assert summary["fixture-site"]["new"] == 0
    assert not [p for p in again if p.startswith("/news/20")]
    assert len(stored(tmp)) == before


def test_rss_and_sitemap_sources_and_source_selection(tmp_path, site_url):  # noqa: F811
    config = (
        CONFIG
        + source("feed", "rss", f"{site_url}/rss.xml")
        + source("map", "sitemap", f"{site_url}/sitemap.xml")
    )
    summary = crawl(tmp_path, config, "--source", "feed")
    assert list(summary) == ["feed"]
    assert summary["feed"]["new"] == PUBLIC_SAMPLE_ARTICLES
    assert len(stored(tmp_path)) == PUBLIC_SAMPLE_ARTICLES
    summary = crawl(tmp_path, config, "--source", "map")
    assert list(summary) == ["map"]
    assert summary["map"]["fresh"] == PUBLIC_SAMPLE_ARTICLES  # the feed fetched them an hour ago
    assert len(stored(tmp_path)) == PUBLIC_SAMPLE_ARTICLES


def test_sitemap_source_stores_every_public_article(tmp_path, site_url):  # noqa: F811
    summary = crawl(tmp_path, CONFIG + source("map", "sitemap", f"{site_url}/sitemap.xml"))
    assert summary["map"]["new"] == PUBLIC_SAMPLE_ARTICLES
    titles = {d.title for d in stored(tmp_path)}
    assert INSULT_TITLE in titles and GBK_SAMPLE_TITLE in titles


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
    assert "Traceback" not in result.stderr
