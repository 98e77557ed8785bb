"""``hotwatch recrawl``: a real crawl of a loopback news site that has a search page.

The site runs in this process (a thread on 127.0.0.1:0) so a test can edit a page
between two crawls; the crawls themselves run the real CLI in a child process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from hotwatch.demo.site import SHANGHAI, SampleArticle, build_site, render_article
from index import open_store
from reports.trending import trending_report
from tests.quiet_handler import QuietHandler
from tests.weibo_server import REQUEST_LOG as WEIBO_REQUESTS
from tests.weibo_server import weibo_url  # noqa: F401 (a fixture)

TOPIC = "新乡 12345 骂人"
BODY = (
    "近日，新乡市民王先生拨打12345市长热线反映小区噪音问题，通话结束后接线员忘记挂断电话，"
    "随后骂人的话被王先生听到。王先生对此十分气愤，认为接线员态度恶劣。",
    "记者随后联系了新乡市12345热线服务中心，工作人员表示将调查核实。",
)
FIRST = SampleArticle(
    slug="xinxiang-operator-insult",
    title="新乡一市民拨打12345热线 接线员忘挂电话骂人",
    body=BODY,
    published=datetime(2021, 4, 25, 10, 0, tzinfo=SHANGHAI),
    outlet="测试日报",
    author="张三",
)
FOLLOW_UP = SampleArticle(
    slug="xinxiang-operator-suspended",
    title="新乡12345热线接线员骂人事件追踪：当事人讲述经过",
    body=(
        "新乡12345热线接线员骂人一事引发关注。当事市民王先生向记者讲述了事情经过，"
        "他表示只希望问题得到解决。",
        "记者将继续关注此事进展，新乡市12345热线服务中心尚未作出回应，"
        "不少市民在网上留言，希望热线能够加强管理，提升服务质量。",
    ),
    published=datetime(2021, 4, 26, 9, 0, tzinfo=SHANGHAI),
    outlet="测试晚报",
    author="李四",
)
OFFICIAL_RESPONSE = "新乡市12345热线服务中心27日通报：涉事接线员已停职，中心已向当事市民当面致歉。"
UNRELATED = SampleArticle(
    slug="nanning-lines-busy",
    title="南宁12345热线连打三天无人接听 市民遇急事找不到人",
    body=(
        "南宁市民李女士反映，她连续三天拨打12345热线都无人接听，遇到急事不知道该找谁。",
        "南宁市12345热线回应称，近期话务量激增，将增加坐席，并在高峰时段安排人员加班接听，"
        "力争做到来电必接、有问必答。",
    ),
    published=datetime(2021, 4, 25, 8, 0, tzinfo=SHANGHAI),
    outlet="测试日报",
    author="王五",
)
FOUND_BY_SEARCH = [
    SampleArticle(
        slug="xinxiang-netizens-react",
        title="新乡12345接线员骂人 网友热议热线服务规范",
        body=(
            "新乡12345热线接线员骂人一事持续发酵，网友纷纷留言，认为热线接线员应当文明服务，"
            "不能对市民出言不逊。",
            "有网友表示，12345热线是政府联系群众的桥梁，接线员骂人严重损害了政府形象。",
        ),
        published=datetime(2021, 4, 27, 8, 0, tzinfo=SHANGHAI),
        outlet="测试网",
        author="赵六",
    ),
    SampleArticle(
        slug="xinxiang-commentary",
        title="评论：12345热线接线员骂人 新乡须给公众一个交代",
        body=(
            "新乡12345热线接线员骂人，暴露出一些热线服务人员服务意识淡薄的问题。",
            "热线是为民服务的窗口，骂人者理应受到处理，新乡相关部门应尽快公布调查结果，"
            "并举一反三，完善接线员培训和考核制度，让热线真正成为群众信得过的服务热线。",
        ),
        published=datetime(2021, 4, 27, 12, 0, tzinfo=SHANGHAI),
        outlet="测试评论",
        author="钱七",
    ),
]
CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 5
autothrottle = false
retry_times = 0

[index]
backend = "sqlite"

[[sources]]
name = "fixture-news"
type = "site"
start_urls = ["{base}/news/index.html"]

[[sources]]
name = "fixture-search"
type = "search"
url_template = "{base}/search?q={{query}}"
"""


class NewsSite:
    """A news site with a search page whose pages can be edited while it serves."""

    def __init__(self, listed: list[SampleArticle] | None = None) -> None:
        self.listed = listed or [FIRST, FOLLOW_UP, UNRELATED]
        self.articles = [*self.listed]
        self.pages = build_site(self.listed).pages
        for article in FOUND_BY_SEARCH:
            self.publish(article)
        self.requests: list[str] = []

    def publish(self, article: SampleArticle) -> None:
        html = render_article(article, "测试新闻网", related=[])
        self.pages[article.path] = (html.encode("utf-8"), "text/html; charset=utf-8")
        self.articles = [a for a in self.articles if a.slug != article.slug] + [article]

    def search(self, query: str) -> bytes:
        """Articles containing every word of the query, newest first, as a result list."""
        words = query.split()
        hits = [a for a in self.articles if all(w in a.title + "".join(a.body) for w in words)]
        hits.sort(key=lambda a: a.published, reverse=True)
        items = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in hits)
        return (
            f"<html><head><meta charset='utf-8'><title>搜索：{query}</title></head>"
            f"<body><ul class='results'>{items}</ul></body></html>"
        ).encode()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                site.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/search":
                    query = parse_qs(parts.query).get("q", [""])[0]
                    self.reply(200, site.search(query), "text/html; charset=utf-8")
                elif parts.path in site.pages:
                    self.reply(200, *site.pages[parts.path])
                else:
                    self.reply(404, b"not found", "text/plain")

        return Handler


@pytest.fixture
def news_site() -> Iterator[tuple[NewsSite, str]]:
    yield from serve(NewsSite())


@pytest.fixture
def news_site_today() -> Iterator[tuple[NewsSite, str]]:
    """Every report of the story published in the last hours: it is trending now."""
    now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    story = [FIRST, FOLLOW_UP, *FOUND_BY_SEARCH] * 2  # 8 reports
    # Each copy ends differently: an exact re-serve of a page on one site is one document.
    listed = [
        replace(
            a,
            slug=f"{a.slug}-{n}",
            published=now - timedelta(hours=n + 1),
            body=(*a.body, f"本报记者将持续关注（第{n + 1}篇）。"),
        )
        for n, a in enumerate(story)
    ]
    yield from serve(NewsSite([*listed, UNRELATED]))


def serve(site: NewsSite) -> Iterator[tuple[NewsSite, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), site.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_cli(tmp: Path, config: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process (a crawl needs a fresh Twisted reactor)."""
    path = tmp / "hotwatch.toml"
    path.write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "hotwatch", "--config", str(path)]
    command += ["--data-dir", str(tmp / "data"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def stored_texts(tmp: Path) -> dict[str, str]:
    store = open_store({"backend": "sqlite"}, tmp / "data")
    try:
        return {doc.title: doc.text for doc in store.iter_documents()}
    finally:
        store.close()


def test_recrawl_indexes_search_results_and_updates_an_edited_stored_page(tmp_path, news_site):
    site, base = news_site
    config = CONFIG.format(base=base)
    first = run_cli(tmp_path, config, "crawl", "--source", "fixture-news", "--json")
    assert first.returncode == 0, first.stderr
    assert set(stored_texts(tmp_path)) == {FIRST.title, FOLLOW_UP.title, UNRELATED.title}

    site.publish(replace(FOLLOW_UP, body=(*FOLLOW_UP.body, OFFICIAL_RESPONSE)))
    before_recrawl = len(site.requests)
    result = run_cli(tmp_path, config, "recrawl", "--topic", TOPIC, "--json")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    rows = {(row["name"], row["type"]): row for row in summary["sources"]}
    counts = ("queries", "results", "new", "updated", "relevant", "errors")
    assert {key: [row[c] for c in counts] for key, row in rows.items()} == {
        # 4 results: the two new reports, and the two stored ones (fetched within 24 hours)
        ("fixture-search", "search"): [1, 4, 2, 0, 2, 0],
        # the stored reports of the topic, fetched again: one of them was edited
        ("fixture-news", "pages"): [0, 2, 0, 1, 2, 0],
    }
    assert summary["topics"] == [TOPIC]
    assert summary["revisited"] == 2
    assert "/search?q=%E6%96%B0%E4%B9%A1%2012345%20%E9%AA%82%E4%BA%BA" in site.requests
    texts = stored_texts(tmp_path)
    assert OFFICIAL_RESPONSE in texts[FOLLOW_UP.title]
    assert {a.title for a in FOUND_BY_SEARCH} <= set(texts)
    assert UNRELATED.path not in [urlsplit(p).path for p in site.requests[before_recrawl:]]


def test_recrawl_prints_a_summary_table(tmp_path, news_site):
    _, base = news_site
    result = run_cli(tmp_path, CONFIG.format(base=base), "recrawl", "--topic", TOPIC)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"topics: {TOPIC}"
    assert lines[1].split() == [
        "source",
        "type",
        "queries",
        "results",
        "new",
        "updated",
        "relevant",
        "errors",
    ]
    assert lines[3].split() == ["fixture-search", "search", "1", "4", "4", "0", "4", "0"]
    # an empty store: nothing to re-visit; the four new reports join incidents
    assert lines[-1] == "re-visited 0 stored page(s); 4 document(s) changed incident"


def test_recrawl_trending_searches_the_top_trending_terms(tmp_path, news_site_today):
    site, base = news_site_today
    config = CONFIG.format(base=base)
    first = run_cli(tmp_path, config, "crawl", "--source", "fixture-news", "--json")
    assert first.returncode == 0, first.stderr
    store = open_store({"backend": "sqlite"}, tmp_path / "data")
    try:
        expected = [t.label for t in trending_report(store, window="24h", top=2).terms]
    finally:
        store.close()
    story_text = "".join(a.title + "".join(a.body) for a in [FIRST, FOLLOW_UP, *FOUND_BY_SEARCH])
    assert expected and all(term in story_text for term in expected)

    result = run_cli(tmp_path, config, "recrawl", "--trending", "--top", "2", "--json")

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["topics"] == expected
    searched = [parse_qs(urlsplit(p).query)["q"][0] for p in site.requests if "/search?" in p]
    assert sorted(searched) == sorted(expected)
    [search_row] = [row for row in summary["sources"] if row["type"] == "search"]
    assert search_row["queries"] == len(expected)
    assert summary["revisited"] == 8  # the story's stored reports, not the unrelated one
    revisit_rows = [row for row in summary["sources"] if row["type"] == "pages"]
    assert [(r["name"], r["results"], r["errors"]) for r in revisit_rows] == [
        ("fixture-news", 8, 0)
    ]


def test_a_weibo_source_searches_the_topic_and_leaves_its_timelines(tmp_path, weibo_url):  # noqa: F811
    api_base = f"{weibo_url}/ok-recrawl"
    config = (
        '[index]\nbackend = "sqlite"\n\n[[sources]]\nname = "wb"\ntype = "weibo"\n'
        f'api_base = "{api_base}"\nqueries = ["市长热线 打不通"]\nusers = ["6000000009"]\n'
        "delay = 0\nretry_delay = 0.05\n"
    )
    result = run_cli(tmp_path, config, "recrawl", "--topic", "郑州12345", "--json")

    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["sources"]
    assert (row["name"], row["type"], row["queries"], row["new"], row["errors"]) == (
        "wb", "weibo", 1, 6, 0,
    )
    with urllib.request.urlopen(weibo_url + WEIBO_REQUESTS, timeout=10) as response:
        paths = [r["path"] for r in json.load(response) if r["path"].startswith("/ok-recrawl/")]
    containers = [parse_qs(urlsplit(p).query).get("containerid", [""])[0] for p in paths]
    assert "100103type=1&q=郑州12345" in containers
    assert not [c for c in containers if c.startswith("107603") or "打不通" in c]


def invoke(tmp_path: Path, config: str, *args: str):
    path = tmp_path / "hotwatch.toml"
    path.write_text(config, encoding="utf-8")
    runner = CliRunner()
    return runner.invoke(cli, ["--config", str(path), "--data-dir", str(tmp_path / "data"), *args])


def test_no_search_or_weibo_source_is_a_one_line_error(tmp_path):
    config = '[[sources]]\nname = "news"\ntype = "site"\nstart_urls = ["http://127.0.0.1:9/"]\n'
    result = invoke(tmp_path, config, "recrawl", "--topic", TOPIC)
    assert result.exit_code == 1
    assert result.output == (
        'Error: no search or weibo source configured (add [[sources]] with type = "search" '
        'or "weibo" to hotwatch.toml)\n'
    )


def test_empty_topic_is_a_one_line_error(tmp_path):
    result = invoke(tmp_path, CONFIG.format(base="http://127.0.0.1:9"), "recrawl", "--topic", " ")
    assert result.exit_code == 1
    assert result.output == "Error: the topic is empty: give --topic TEXT or --trending\n"


def test_a_named_source_that_cannot_search_is_refused(tmp_path):
    config = CONFIG.format(base="http://127.0.0.1:9")
    result = invoke(tmp_path, config, "recrawl", "--topic", TOPIC, "--source", "fixture-news")
    assert result.exit_code == 1
    assert result.output == (
        "Error: source 'fixture-news' is a site source; recrawl runs search and weibo sources\n"
    )


def test_trending_with_nothing_trending_is_a_one_line_error(tmp_path):
    result = invoke(tmp_path, CONFIG.format(base="http://127.0.0.1:9"), "recrawl", "--trending")
    assert result.exit_code == 1
    assert result.output == "Error: nothing is trending in the last 24h: no topic to re-crawl\n"


def test_topic_and_trending_together_are_a_usage_error(tmp_path):
    config = CONFIG.format(base="http://127.0.0.1:9")
    result = invoke(tmp_path, config, "recrawl", "--topic", TOPIC, "--trending")
    assert result.exit_code == 2
    assert "use either --topic or --trending, not both" in result.output
