"""Date parsing: every format the extractor meets, against a fixed ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analysis.dates import date_from_url, find_dates_in_text, parse_datetime, parse_month

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2021, 4, 26, 12, 0, tzinfo=SHANGHAI)


def at(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年4月25日 10:21", at(2021, 4, 25, 10, 21)),
        ("2021年04月25日10:21:33", at(2021, 4, 25, 10, 21, 33)),
        ("2021年4月25日", at(2021, 4, 25)),
        ("2021年4月25日 下午3:10", at(2021, 4, 25, 15, 10)),
        ("2021-04-25", at(2021, 4, 25)),
        ("2021-04-25 10:21:33", at(2021, 4, 25, 10, 21, 33)),
        ("2021-04-25 10:21", at(2021, 4, 25, 10, 21)),
        ("2021/4/25", at(2021, 4, 25)),
        ("2021.04.25", at(2021, 4, 25)),
        ("04-25 10:21", at(2021, 4, 25, 10, 21)),
        ("发布时间：2021-04-25 10:21 来源：新华网", at(2021, 4, 25, 10, 21)),
    ],
)
def test_absolute_formats(text: str, expected: datetime) -> None:
    assert parse_datetime(text, now=NOW) == expected


def test_yearless_date_in_the_future_is_last_year() -> None:
    assert parse_datetime("12-25 10:21", now=NOW) == at(2020, 12, 25, 10, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", NOW),
        ("5分钟前", NOW - timedelta(minutes=5)),
        ("3小时前", NOW - timedelta(hours=3)),
        ("2天前", NOW - timedelta(days=2)),
        ("今天 10:21", at(2021, 4, 26, 10, 21)),
        ("昨天 10:21", at(2021, 4, 25, 10, 21)),
        ("前天 10:21", at(2021, 4, 24, 10, 21)),
    ],
)
def test_relative_formats(text: str, expected: datetime) -> None:
    assert parse_datetime(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021-04-25T10:21:00+08:00",
        "2021-04-25T02:21:00Z",
        "2021-04-25T02:21:00.000Z",
        "Sun, 25 Apr 2021 10:21:00 +0800",
        "Sun Apr 25 10:21:00 +0800 2021",
        "1619317260",
    ],
)
def test_zoned_formats_name_the_same_instant(text: str) -> None:
    parsed = parse_datetime(text, now=NOW)
    assert parsed == at(2021, 4, 25, 10, 21)
    assert parsed is not None and parsed.tzinfo is not None


def test_iso_with_other_zone_is_converted_to_shanghai() -> None:
    parsed = parse_datetime("2021-04-25T12:00:00+02:00", now=NOW)
    assert parsed == at(2021, 4, 25, 18, 0)
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=8)


def test_naive_strings_are_read_in_the_given_zone() -> None:
    parsed = parse_datetime("2021-04-25 10:21", now=NOW, tz=UTC)
    assert parsed == datetime(2021, 4, 25, 10, 21, tzinfo=UTC)


def test_results_are_always_aware() -> None:
    naive_now = datetime(2021, 4, 26, 12, 0)
    for text in ("2021-04-25", "3小时前", "04-25 10:21", "刚刚"):
        parsed = parse_datetime(text, now=naive_now)
        assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2021-13-01",
        "2021-02-30",
        "2021年4月32日",
        "1989-06-01",
        "2021-04-28",  # more than a day after now
        "25:61",
        "",
        "没有日期",
    ],
)
def test_impossible_or_missing_dates_are_rejected(text: str) -> None:
    assert parse_datetime(text, now=NOW) is None


def test_tomorrow_is_tolerated() -> None:
    assert parse_datetime("2021-04-27", now=NOW) == at(2021, 4, 27)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.cn/c/20210425/123.html", at(2021, 4, 25)),
        ("http://www.example.com/local/2021-04/25/c_1127379.htm", at(2021, 4, 25)),
        ("https://www.example.cn/a/2021/0425/99.shtml", at(2021, 4, 25)),
        ("http://www.example.gov.cn/zwgk/t20210425_4387.html", at(2021, 4, 25)),
        ("https://www.example.cn/2021/04/25/story.html", at(2021, 4, 25)),
    ],
)
def test_date_from_url(url: str, expected: datetime) -> None:
    assert date_from_url(url, now=NOW) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://www.example.cn/detail/1000200033136171577956287380194268_1.html",
        "https://www.example.cn/20211345/x.html",
        "https://www.example.cn/a/b.html?date=20210425",
    ],
)
def test_urls_without_dates(url: str | None) -> None:
    assert date_from_url(url, now=NOW) is None


def test_find_dates_in_text_in_order() -> None:
    text = "2021年4月20日，市民拨打热线。4月22日 09:30回访，2021-04-24 工单办结。"
    assert find_dates_in_text(text, now=NOW) == [
        at(2021, 4, 20),
        at(2021, 4, 22, 9, 30),
        at(2021, 4, 24),
    ]


def test_find_dates_absolute_only_skips_yearless_and_relative() -> None:
    text = "昨天 10:00 发生，04-25 10:21 更新，2021-04-24 首发"
    assert find_dates_in_text(text, now=NOW, absolute=True) == [at(2021, 4, 24)]


def test_find_dates_in_empty_text() -> None:
    assert find_dates_in_text("", now=NOW) == []


def test_parse_month() -> None:
    assert parse_month("——《北京之春》1998年3月号", now=NOW) == at(1998, 3, 1)
    assert parse_month("没有", now=NOW) is None
