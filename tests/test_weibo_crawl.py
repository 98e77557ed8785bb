"""Weibo sources in real crawls of the loopback stand-in API (``tests/weibo_server.py``).

The crawls run the real CLI (``hotwatch crawl --json``, i.e. ``crawl_and_index`` and
``run_crawl``) in a child process; assertions are on the summaries, the store and the
requests the stand-in saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.weibo.times import SHANGHAI
from index import StoredDocument, open_store
from tests.test_weibo import COOKIE, DETAIL, local
from tests.weibo_server import REQUEST_LOG, weibo_url  # noqa: F401 (a fixture)

CONFIG = """
[crawl]
retry_times = 2
autothrottle = false
download_timeout = 5

[index]
backend = "sqlite"

[[plans]]
name = "热线"
rule = "(12345 OR 市长热线) AND (推诿 OR 打不通 OR 没人接 OR 无人接听 OR 态度恶劣 OR 挂断)"
"""
USER_DELAY = 0.6


def weibo_source(
    name: str, api_base: str, *, queries: str = "", users: str = "", extra: str = ""
) -> str:
    """A ``[[sources]]`` entry; ``delay = 0`` and short retry pauses unless ``extra`` says."""
    lines = [f'\n[[sources]]\nname = "{name}"\ntype = "weibo"\napi_base = "{api_base}"']
    lines += [f"queries = [{queries}]"] if queries else []
    lines += [f"users = [{users}]"] if users else []
    lines += [extra or "", "retry_delay = 0.05"]
    lines += [] if "delay =" in extra else ["delay = 0"]
    return "\n".join(lines) + "\n"


def crawl(tmp: Path, config: str, env: dict[str, str] | None = None) -> dict[str, dict]:
    """``hotwatch crawl --json`` in a child process: the per-source summaries by name."""
    config_path = tmp / "hotwatch.toml"
    config_path.write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "hotwatch", "--config", str(config_path)]
    command += ["--data-dir", str(tmp / "data"), "crawl", "--json"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Error processing" not in result.stderr
    return {s["name"]: s for s in json.loads(result.stdout)["sources"]}


def stored(tmp: Path) -> dict[str, StoredDocument]:
    store = open_store({"backend": "sqlite"}, tmp / "data")
    try:
        return {doc.url: doc for doc in store.iter_documents()}
    finally:
        store.close()


def requests_seen(base: str) -> list[dict[str, str]]:
    with urllib.request.urlopen(base + REQUEST_LOG, timeout=10) as response:
        return json.load(response)


# -- crawls --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def weibo_crawl(tmp_path_factory, weibo_url):  # noqa: F811
    tmp = tmp_path_factory.mktemp("weibo")
    config = (
        CONFIG
        + weibo_source("wb-search", f"{weibo_url}/ok", queries='"郑州12345"')
        + weibo_source(
            "wb-user",
            f"{weibo_url}/ok",
            users="6000000009",
            extra=f'cookie_env = "WB_COOKIE"\ndelay = {USER_DELAY}',
        )
        + weibo_source("wb-flaky", f"{weibo_url}/flaky", queries='"市长热线 打不通"')
        + weibo_source("wb-blocked", f"{weibo_url}/blocked", queries='"郑州12345"')
        + weibo_source("wb-login", f"{weibo_url}/login", users="6000000009")
        + weibo_source("wb-captcha", f"{weibo_url}/captcha", queries='"郑州12345"')
        + weibo_source("wb-broken", f"{weibo_url}/broken", queries='"郑州12345"')
    )
    summary = crawl(tmp, config, env={"WB_COOKIE": COOKIE})
    return tmp, summary, stored(tmp)


def test_keyword_search_stores_both_pages_with_counts_authors_and_hashtags(weibo_crawl):
    _, summary, docs = weibo_crawl
    assert summary["wb-search"]["new"] == 6
    assert summary["wb-search"]["errors"] == 0 and summary["wb-search"]["messages"] == []
    search_docs = {url: doc for url, doc in docs.items() if doc.source == "wb-search"}
    assert sorted(search_docs) == [DETAIL.format(f"490000000000000{n}") for n in range(1, 7)]
    first = search_docs[DETAIL.format("4900000000000001")]
    assert first.kind == "post" and first.outlet == "微博" and first.domain == "m.weibo.cn"
    assert (first.reposts, first.comments, first.likes) == (10_000, 2345, 35_000)
    assert (first.author, first.tier) == ("郑州小市民", None)
    assert first.text.startswith("#郑州12345热线# 打了三次12345都没人接")
    assert "[怒]" in first.text and "<" not in first.text
    assert first.published_at == first.fetched_at - timedelta(minutes=5)
    orange = search_docs[DETAIL.format("4900000000000004")]
    assert (orange.author, orange.tier, orange.reach) == ("热线观察员", 4, 0)
    today = local(orange.fetched_at)
    assert local(orange.published_at) == today.replace(hour=8, minute=30, second=0, microsecond=0)
    dated = search_docs[DETAIL.format("4900000000000005")]
    this_year = today.year if (today.month, today.day) >= (4, 25) else today.year - 1
    assert local(dated.published_at) == datetime(this_year, 4, 25, tzinfo=SHANGHAI)
    assert (dated.author, dated.tier) == ("郑州市消费者协会", 3)
    full_date = search_docs[DETAIL.format("4900000000000006")]
    assert local(full_date.published_at) == datetime(2021, 4, 25, tzinfo=SHANGHAI)
    assert full_date.likes == 15_000 and full_date.text.endswith("网页链接")


def test_search_pages_until_ok_zero_and_the_analysis_sees_the_text(weibo_crawl, weibo_url):  # noqa: F811
    _, _, docs = weibo_crawl
    search = [r["path"] for r in requests_seen(weibo_url) if "/ok/" in r["path"]]
    pages = [p for p in search if "100103type" in p]
    assert [p.rsplit("page=", 1)[1] for p in pages] == ["1", "2", "3"]  # 3 is ok: 0, the end
    first = docs[DETAIL.format("4900000000000001")]
    assert first.relevant and "12345" in first.hotlines
    assert {"province": "河南省", "city": "郑州市"} in first.regions
    assert first.negativity > 0.5


def test_long_text_is_fetched_before_the_post_is_stored(weibo_crawl, weibo_url):  # noqa: F811
    _, _, docs = weibo_crawl
    original = docs[DETAIL.format("4900000000000003")]
    assert "3.对反映的推诿问题逐件回访。\n感谢市民监督！@郑州发布" in original.text
    assert "..." not in original.text and "全文" not in original.text
    assert (
        original.title
        == "【关于市民反映12345热线接通率问题的情况说明】近日，有市民反映拨打#郑州12345热线#长时间无人接听。"
    )
    extends = [r for r in requests_seen(weibo_url) if "/ok/statuses/extend" in r["path"]]
    assert [r["path"] for r in extends] == ["/ok/statuses/extend?id=4900000000000003"]


def test_a_repost_yields_its_original_and_points_at_it(weibo_crawl):
    _, _, docs = weibo_crawl
    repost = docs[DETAIL.format("4900000000000002")]
    original = docs[DETAIL.format("4900000000000003")]
    assert repost.parent_url == original.url and original.parent_url is None
    assert (repost.author, repost.tier, repost.reposts) == ("大河报", 2, 120)
    assert (original.author, original.tier) == ("郑州市政务服务热线", 2)
    assert (original.reposts, original.comments, original.likes) == (1_000_000, 12_000, 88)
    assert local(original.published_at) == datetime(2021, 4, 25, 10, 0, tzinfo=SHANGHAI)
    yesterday = local(repost.fetched_at) - timedelta(days=1)
    assert local(repost.published_at) == yesterday.replace(
        hour=12, minute=0, second=0, microsecond=0
    )


def test_user_timeline_pages_by_since_id_and_sends_the_cookie(weibo_crawl, weibo_url):  # noqa: F811
    _, summary, docs = weibo_crawl
    assert summary["wb-user"]["new"] == 3 and summary["wb-user"]["errors"] == 0
    user_docs = {url: doc for url, doc in docs.items() if doc.source == "wb-user"}
    assert sorted(user_docs) == [DETAIL.format(f"49000000000000{n}") for n in (11, 12, 13)]
    newest = user_docs[DETAIL.format("4900000000000011")]
    assert newest.published_at == newest.fetched_at
    earlier = user_docs[DETAIL.format("4900000000000012")]
    assert earlier.published_at == earlier.fetched_at - timedelta(hours=3)
    assert earlier.regions == [{"province": "河南省"}]  # from "发布于 河南": the text names none
    timeline = [
        r for r in requests_seen(weibo_url) if "/ok/" in r["path"] and "107603" in r["path"]
    ]
    assert [r["path"].endswith("since_id=4900000000000012") for r in timeline] == [False, True]
    spacing = timeline[1]["time"] - timeline[0]["time"]
    assert spacing >= USER_DELAY * 0.5  # Scrapy's jitter: 0.5 to 1.5 times the delay
    assert all("SUB=_2A25abc123" in r["cookie"] and "SUBP=" in r["cookie"] for r in timeline)
    searches = [
        r for r in requests_seen(weibo_url) if "/ok/" in r["path"] and "100103" in r["path"]
    ]
    assert searches and not any(r["cookie"] for r in searches)


def test_a_418_is_retried_and_the_posts_arrive(weibo_crawl, weibo_url):  # noqa: F811
    _, summary, docs = weibo_crawl
    assert summary["wb-flaky"]["new"] == 1 and summary["wb-flaky"]["errors"] == 0
    assert docs[DETAIL.format("4900000000000021")].text.startswith("新乡市长热线打不通")
    flaky = [r["path"] for r in requests_seen(weibo_url) if r["path"].startswith("/flaky/")]
    assert flaky[0] == flaky[1] and "page=1" in flaky[0]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("wb-blocked", 'weibo: blocked (HTTP 418) after 3 attempts: search "郑州12345" page 1'),
        (
            "wb-login",
            "weibo: login required (ok -100) after 3 attempts (no cookie set): "
            "user 6000000009 page 1",
        ),
        (
            "wb-captcha",
            "weibo: blocked (captcha or login page instead of JSON) after 3 attempts: "
            'search "郑州12345" page 1',
        ),
    ],
)
def test_persistent_blocking_is_one_clear_error_per_source(weibo_crawl, weibo_url, source, message):  # noqa: F811
    _, summary, _ = weibo_crawl
    assert summary[source]["errors"] == 1
    assert summary[source]["messages"] == [message]
    assert summary[source]["new"] == 0
    scenario = source.removeprefix("wb-")
    attempts = [r for r in requests_seen(weibo_url) if r["path"].startswith(f"/{scenario}/")]
    assert len(attempts) == 3


def test_malformed_json_is_an_error_not_a_crash(weibo_crawl):
    _, summary, _ = weibo_crawl
    (message,) = summary["wb-broken"]["messages"]
    assert message.startswith("weibo: malformed JSON (JSONDecodeError: ")
    assert message.endswith(' after 3 attempts: search "郑州12345" page 1')
    assert summary["wb-broken"]["errors"] == 1


def test_a_recrawl_updates_counts_without_duplicates(tmp_path, weibo_url):  # noqa: F811
    first = crawl(
        tmp_path, CONFIG + weibo_source("wb", f"{weibo_url}/ok-again", queries='"郑州12345"')
    )
    assert first["wb"]["new"] == 6
    later = crawl(
        tmp_path, CONFIG + weibo_source("wb", f"{weibo_url}/later", queries='"郑州12345"')
    )
    assert later["wb"]["new"] == 0
    assert later["wb"]["updated"] + later["wb"]["unchanged"] == 6
    assert later["wb"]["updated"] >= 1  # grown engagement counts as an update
    docs = stored(tmp_path)
    assert len(docs) == 6
    grown = docs[DETAIL.format("4900000000000001")]
    assert (grown.reposts, grown.comments, grown.likes) == (20_000, 2500, 41_000)
