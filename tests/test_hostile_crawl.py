"""A real crawl of the hostile loopback site through the CLI: what is stored, what is skipped, why.

One module-scoped crawl feeds every assertion: mis-declared charsets and broken markup
must be stored with their text; binaries, bombs, huge declared sizes, redirect loops
and off-site chains are skipped with their reason; a slow drip fails as a timeout;
hosts whose robots.txt answers 500 or times out are not crawled (RFC 9309).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from crawler.skips import (
    NOT_HTML,
    OFFSITE_REDIRECT,
    REDIRECT_LOOP,
    ROBOTS_UNREACHABLE,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
)
from tests.hostile_server import (
    A1_PATHS,
    A1_TITLE,
    BODY,
    BROKEN_TITLE,
    DEEP_TITLE,
    LONG_LINE_TITLE,
    MISDECLARED,
    MIXED_TITLE,
    RETRY_AFTER,
    TRAD_BODY,
    UTF8_FRAGMENT,
    hostile_urls,  # noqa: F401 (a fixture)
)
from tests.test_crawl import hotwatch, stored

CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 3
max_size = 6000000
autothrottle = false
retry_times = 1

[index]
backend = "sqlite"
"""


def source(name: str, url: str) -> str:
    return f'\n[[sources]]\nname = "{name}"\ntype = "site"\nstart_urls = ["{url}"]\n'


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory, hostile_urls):  # noqa: F811
    tmp = tmp_path_factory.mktemp("hostile")
    main, robots_500, robots_timeout = hostile_urls
    config = (
        CONFIG
        + source("hostile", f"{main}/index.html")
        + source("robots-500", f"{robots_500}/index.html")
        + source("robots-timeout", f"{robots_timeout}/index.html")
    )
    result = hotwatch(tmp, "crawl", "--json", config=config)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summaries = {s["name"]: s for s in json.loads(result.stdout)["sources"]}
    return tmp, summaries, {d.title: d for d in stored(tmp)}


def skipped(summary: dict, path: str) -> list[str]:
    """The reasons given for the skipped URLs ending in ``path``."""
    return [s["reason"] for s in summary["skipped_urls"] if s["url"].endswith(path)]


@pytest.mark.parametrize("path", list(MISDECLARED))
def test_misdeclared_charsets_decode_to_the_exact_text(hostile_crawl, path):
    title, encoding, _, _ = MISDECLARED[path]
    doc = hostile_crawl[2][title]
    assert (TRAD_BODY if encoding == "big5" else BODY) in doc.text


def test_a_utf8_fragment_in_a_gbk_page_keeps_both(hostile_crawl):
    doc = hostile_crawl[2][MIXED_TITLE]
    assert BODY in doc.text and UTF8_FRAGMENT in doc.text


@pytest.mark.parametrize("title", [DEEP_TITLE, BROKEN_TITLE, LONG_LINE_TITLE])
def test_deep_and_broken_markup_keeps_the_article(hostile_crawl, title):
    doc = hostile_crawl[2][title]
    assert BODY in doc.text and "\x00" not in doc.text and "填充" not in doc.text


@pytest.mark.parametrize("path", ["pdf-as-html.html", "png-as-html.html", "zip-as-html.html"])
def test_binaries_served_as_html_are_not_html_pages(hostile_crawl, path):
    assert skipped(hostile_crawl[1]["hostile"], path) == [NOT_HTML]
    assert not [d for d in hostile_crawl[2].values() if d.url.endswith(path)]


@pytest.mark.parametrize(
    "path", ["bomb-gzip.html", "bomb-deflate.html", "bomb-br.html", "huge-length.html"]
)
def test_bombs_and_huge_declared_sizes_are_too_large(hostile_crawl, path):
    assert skipped(hostile_crawl[1]["hostile"], path) == [TOO_LARGE]
    (skip,) = [s for s in hostile_crawl[1]["hostile"]["skipped_urls"] if s["url"].endswith(path)]
    expected = "declares 2147483648 bytes" if "huge" in path else "once decompressed"
    assert expected in skip["detail"]


def test_redirect_loops_long_chains_and_offsite_redirects_are_explained(hostile_crawl):
    summary = hostile_crawl[1]["hostile"]
    assert skipped(summary, "loop-a.html") == [REDIRECT_LOOP]
    assert skipped(summary, "chain-1.html") == [TOO_MANY_REDIRECTS]  # 5 redirects allowed
    assert skipped(summary, "away.html") == [OFFSITE_REDIRECT]


def test_a_slow_drip_fails_as_a_timeout(hostile_crawl):
    failed = hostile_crawl[1]["hostile"]["failed_urls"]
    assert [f["reason"] for f in failed if f["url"].endswith("slow-drip.html")] == ["timeout"]


def test_skip_counts_by_reason_match_the_listed_urls(hostile_crawl):
    summary = hostile_crawl[1]["hostile"]
    listed: dict[str, int] = {}
    for skip in summary["skipped_urls"]:
        listed[skip["reason"]] = listed.get(skip["reason"], 0) + 1
    assert summary["skip_reasons"] == listed
    assert summary["skipped"] == len(summary["skipped_urls"])


@pytest.mark.parametrize("name", ["robots-500", "robots-timeout"])
def test_unreachable_robots_txt_means_nothing_is_fetched(hostile_crawl, hostile_urls, name):  # noqa: F811
    summary = hostile_crawl[1][name]
    assert summary["fetched"] == 0 and summary["skipped"] == 0
    (failed,) = summary["failed_urls"]
    assert failed["reason"].startswith(ROBOTS_UNREACHABLE)
    assert ("HTTP 500" if name == "robots-500" else "took longer") in failed["reason"]
    base = hostile_urls[1 if name == "robots-500" else 2]
    paths = [path for _, path in _requests(base)]
    assert "/index.html" not in paths and "/robots.txt" in paths


def test_retry_after_is_honoured(hostile_crawl, hostile_urls):  # noqa: F811
    assert "平顶山12345热线被指推诿 市民限流后终于看到" in hostile_crawl[2]
    times = [t for t, path in _requests(hostile_urls[0]) if path.endswith("limited-429.html")]
    assert len(times) == 2 and times[1] - times[0] >= RETRY_AFTER - 0.1


def test_the_run_log_lists_every_skip_and_failure(hostile_crawl):
    tmp, summaries, _ = hostile_crawl
    (log,) = Path(tmp, "data", "logs").glob("crawl-*.jsonl")
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for name, summary in summaries.items():
        mine = [r for r in records if r["source"] == name]
        assert len([r for r in mine if r["outcome"] == "skipped"]) == summary["skipped"]
        assert len([r for r in mine if r["outcome"] == "failed"]) == summary["errors"]


def _requests(base: str) -> list[tuple[float, str]]:
    with urllib.request.urlopen(base + "/_requests", timeout=10) as response:
        return [tuple(item) for item in json.load(response)]


def test_url_variants_and_a_reserved_copy_are_one_document_with_every_url(
    hostile_crawl,
    hostile_urls,  # noqa: F811
):
    doc = hostile_crawl[2][A1_TITLE]
    # The tracking variant maps to /news/a1.html; the copy's path is whichever came first.
    assert doc.url in (hostile_urls[0] + "/news/a1.html", hostile_urls[0] + A1_PATHS[2])
    assert sorted(doc.urls) == sorted(hostile_urls[0] + path for path in A1_PATHS)
    assert len([d for d in hostile_crawl[2].values() if d.title == A1_TITLE]) == 1
