"""Weibo sources, the API readers as units: created_at in every form, counts, text and
authors, answers that block or break, API addresses, and the configuration. Real crawls of
the loopback stand-in API are in ``tests/test_weibo_crawl.py``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.spiders.weibo import parse_cookie_header
from crawler.weibo.api import read_answer, search_url, timeline_url
from crawler.weibo.posts import author_tier, parse_count, posts_from_cards, region_of
from crawler.weibo.text import html_to_text, title_from_text
from crawler.weibo.times import SHANGHAI, parse_created_at
from hotwatch.config import ConfigError, load_config
from tests.weibo_server import FIXTURES

NOW = datetime(2021, 4, 26, 9, 30, 15, tzinfo=SHANGHAI)
DETAIL = "https://m.weibo.cn/detail/{}"
COOKIE = "SUB=_2A25abc123; SUBP=0033WrSXqPxfM725Ws9jqgMF55529P9D9W"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


# -- created_at --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("刚刚", NOW),
        ("30秒前", NOW - timedelta(seconds=30)),
        ("5分钟前", NOW - timedelta(minutes=5)),
        ("3小时前", NOW - timedelta(hours=3)),
        ("15小时前", datetime(2021, 4, 25, 18, 30, 15, tzinfo=SHANGHAI)),
        ("2天前", NOW - timedelta(days=2)),
        ("今天 08:30", datetime(2021, 4, 26, 8, 30, tzinfo=SHANGHAI)),
        ("昨天 12:00", datetime(2021, 4, 25, 12, 0, tzinfo=SHANGHAI)),
        ("前天 23:05", datetime(2021, 4, 24, 23, 5, tzinfo=SHANGHAI)),
        ("04-25", datetime(2021, 4, 25, tzinfo=SHANGHAI)),
        ("4-5", datetime(2021, 4, 5, tzinfo=SHANGHAI)),
        ("12-31", datetime(2020, 12, 31, tzinfo=SHANGHAI)),  # not yet this year: last year's
        ("04-25 18:40", datetime(2021, 4, 25, 18, 40, tzinfo=SHANGHAI)),
        ("2021-04-25", datetime(2021, 4, 25, tzinfo=SHANGHAI)),
        ("2019-12-01 07:08", datetime(2019, 12, 1, 7, 8, tzinfo=SHANGHAI)),
        ("Sun Apr 25 10:00:00 +0800 2021", datetime(2021, 4, 25, 10, 0, tzinfo=SHANGHAI)),
        ("Sat Apr 24 22:00:00 +0000 2021", datetime(2021, 4, 25, 6, 0, tzinfo=SHANGHAI)),
        (" 昨天  12:00 ", datetime(2021, 4, 25, 12, 0, tzinfo=SHANGHAI)),
        ("", None),
        (None, None),
        ("上周", None),
        ("02-30", None),
        ("Sun Foo 25 10:00:00 +0800 2021", None),
    ],
)
def test_created_at_in_every_form_the_api_uses(value, expected):
    assert parse_created_at(value, now=NOW) == expected


def test_relative_times_count_from_beijing_time_whatever_the_clock_zone():
    utc_evening = datetime(2021, 4, 25, 17, 0, tzinfo=UTC)  # 01:00 on the 26th in Beijing
    assert parse_created_at("昨天 12:00", now=utc_evening) == datetime(
        2021, 4, 25, 12, 0, tzinfo=SHANGHAI
    )
    assert parse_created_at("刚刚", now=utc_evening).utcoffset() == timedelta(hours=8)


# -- counts, text, authors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        ("12", 12),
        ("1,234", 1234),
        ("1万+", 10_000),
        ("1.2万", 12_000),
        ("3.5万", 35_000),
        ("100万+", 1_000_000),
        ("2亿", 200_000_000),
        ("", 0),
        (None, 0),
        ("转发", 0),
        ("评论", 0),
        ("赞", 0),
        (-1, 0),
        (True, 0),
    ],
)
def test_count_strings(value, expected):
    assert parse_count(value) == expected


def test_html_keeps_hashtags_links_and_emoji_alt_and_drops_the_more_link():
    html = (
        '<a href="https://m.weibo.cn/search?containerid=231522type%3D1"><span class="surl-text">'
        '#郑州12345热线#</span></a> 打不通<span class="url-icon"><img alt=[怒] src="//h5/nu.png" '
        "/></span><br />找<a href='/n/郑州发布'>@郑州发布</a> 看<a data-url=\"http://t.cn/x\" "
        "href=\"https://weibo.cn/sinaurl?u=x\"><span class='url-icon'><img src='web.png'></span>"
        '<span class="surl-text">网页链接</span></a><br/><br />第三行 ...<a href="/status/49">全文</a>'
    )
    assert html_to_text(html) == "#郑州12345热线# 打不通[怒]\n找@郑州发布 看网页链接\n\n第三行 ..."
    assert html_to_text("") == ""
    assert html_to_text("纯文本  两个空格") == "纯文本 两个空格"


def test_title_is_the_first_sentence_of_the_first_line():
    assert title_from_text("\n郑州12345热线打不通！已经三天了。\n第二行") == "郑州12345热线打不通！"
    assert title_from_text("好！今天打12345没人接") == "好！今天打12345没人接"
    assert len(title_from_text("长" * 200)) == 60
    assert title_from_text("") == ""


@pytest.mark.parametrize(
    ("user", "tier"),
    [
        ({"verified": True, "verified_type": 1}, 2),  # government
        ({"verified": True, "verified_type": 3}, 2),  # media
        ({"verified": True, "verified_type": 2}, 3),  # company
        ({"verified": True, "verified_type": 7}, 3),  # organisation
        ({"verified": True, "verified_type": 0}, 4),  # orange V
        ({"verified": True, "verified_type": 220}, 4),  # 达人
        ({"verified": False, "verified_type": -1}, None),
        ({"verified": True, "verified_type": 10}, None),
        ({}, None),
    ],
)
def test_author_tier_from_the_verification(user, tier):
    assert author_tier(user) == tier


def test_region_hint_and_cookie_header():
    assert region_of("发布于 河南") == "河南"
    assert region_of("") is None and region_of(None) is None
    assert parse_cookie_header(COOKIE + "; bad; =x") == {
        "SUB": "_2A25abc123",
        "SUBP": "0033WrSXqPxfM725Ws9jqgMF55529P9D9W",
    }


def test_posts_of_a_search_page_including_card_groups_and_reposted_originals():
    posts = list(posts_from_cards(fixture("search-zhengzhou-p1")["data"]["cards"], now=NOW))
    assert [p.id for p in posts] == ["4900000000000001", "4900000000000002", "4900000000000004"]
    first, repost, orange = posts
    assert first.url == DETAIL.format("4900000000000001") and first.bid == "N1ZzA0001"
    assert first.text == (
        "#郑州12345热线# 打了三次12345都没人接，最后接通了还被挂断[怒]\n"
        "家门口的污水管道堵了一个月，物业和街道互相推诿，问题到现在也没解决。"
    )
    assert first.title == "#郑州12345热线# 打了三次12345都没人接，最后接通了还被挂断[怒]"
    assert (first.reposts, first.comments, first.likes) == (10_000, 2345, 35_000)
    assert (first.author, first.author_id, first.tier, first.region) == (
        "郑州小市民",
        "6000000001",
        None,
        "河南",
    )
    assert first.created_at == NOW - timedelta(minutes=5)
    original = repost.parent
    assert original is not None and repost.parent_url == DETAIL.format("4900000000000003")
    assert original.long_text and original.text.endswith("...")
    assert (original.author, original.tier, original.reposts) == (
        "郑州市政务服务热线",
        2,
        1_000_000,
    )
    assert (orange.tier, orange.reposts, orange.likes) == (4, 0, 0)


# -- answers ------------------------------------------------------------------------------------


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("status", "headers", "body", "first_page", "problem"),
    [
        (418, {}, b"", True, "blocked (HTTP 418)"),
        (432, {}, b"", True, "blocked (HTTP 432)"),
        (
            302,
            {"location": "https://passport.weibo.cn/signin/login"},
            b"",
            True,
            "login required (HTTP 302 to the login page)",
        ),
        (
            200,
            JSON,
            b'{"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}',
            True,
            "login required (ok -100)",
        ),
        (
            200,
            {"content-type": "text/html"},
            "<html>请输入验证码</html>".encode(),
            True,
            "blocked (captcha or login page instead of JSON)",
        ),
        (200, JSON, b'{"ok": 1, "data": {"cards": [', True, "malformed JSON"),
        (200, JSON, b"[1, 2]", True, "malformed JSON (not an object)"),
        (
            200,
            JSON,
            '{"ok": 0, "msg": "请求过于频繁"}'.encode(),
            True,
            "refused (ok 0: 请求过于频繁)",
        ),
    ],
)
def test_blocking_and_broken_answers_are_problems(status, headers, body, first_page, problem):
    answer = read_answer(status, headers, body, first_page=first_page)
    assert answer.problem.startswith(problem)
    assert not answer.end and not answer.data


def test_ok_zero_ends_paging_and_ok_one_is_data():
    refusal = '{"ok": 0, "msg": "请求过于频繁"}'.encode()
    assert read_answer(200, JSON, refusal, first_page=False).end
    empty = '{"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}'.encode()
    assert read_answer(200, JSON, empty, first_page=True).end
    data = read_answer(200, JSON, b'{"ok": 1, "data": {"cards": []}}').data
    assert data == {"cards": []}


def test_api_addresses():
    assert search_url("https://m.weibo.cn", "郑州 12345", 2) == (
        "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D1%26q%3D"
        "%E9%83%91%E5%B7%9E%2012345&page_type=searchall&page=2"
    )
    assert timeline_url("https://m.weibo.cn", "123", since_id="49") == (
        "https://m.weibo.cn/api/container/getIndex?type=uid&value=123&containerid=107603123"
        "&since_id=49"
    )


# -- configuration -----------------------------------------------------------------------------


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hotwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('type = "weibo"', "a weibo source needs queries or users"),
        ('type = "weibo"\nusers = ["zhang"]', "users must be numeric Weibo uids, not 'zhang'"),
        ('type = "weibo"\nqueries = ["x"]\napi_base = "m.weibo.cn"', "api_base must be an http(s)"),
        ('type = "weibo"\nqueries = ["x"]\nmax_pages = 0', "max_pages must be at least 1"),
        ('type = "weibo"\nqueries = ["x"]\ndelay = -1', "must not be negative"),
        ('type = "weibo"\nqueries = ["x"]\ncookie = "a=b"\ncookie_env = "C"', "not both"),
        ('type = "weibo"\nqueries = "x"', "queries must be a list"),
        ('type = "rss"\nstart_urls = ["http://x/"]\nusers = [1]', "users is only for weibo"),
    ],
)
def test_weibo_configuration_errors_are_one_line(tmp_path, source, message):
    path = write_config(tmp_path, f'[[sources]]\nname = "wb"\n{source}\n')
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_cookie_comes_from_the_environment_and_queries_can_be_replaced(tmp_path):
    path = write_config(
        tmp_path,
        '[[sources]]\nname = "wb"\ntype = "weibo"\nqueries = ["郑州12345"]\nusers = [6000000009]\n'
        'cookie_env = "WEIBO_COOKIE"\n',
    )
    source = load_config(path, environ={"WEIBO_COOKIE": COOKIE}).source("wb")
    assert source.cookie == COOKIE and COOKIE not in repr(source)
    assert source.users == ("6000000009",) and source.max_pages == 3
    assert load_config(path, environ={}).source("wb").cookie == ""
    spider_source = replace(source, queries=("新乡 12345",)).as_spider_source()
    assert spider_source["queries"] == ["新乡 12345"]
    assert spider_source["cookie"] == COOKIE
