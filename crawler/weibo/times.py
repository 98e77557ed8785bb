"""Weibo's ``created_at`` in every form the mobile API uses, as an aware Beijing time.

The API writes recent times relative to the moment it answered (``刚刚``, ``5分钟前``,
``昨天 12:00``), this year's dates without the year (``04-25``), older ones in full
(``2021-04-25``), and some endpoints the classic ``Sun Apr 25 10:00:00 +0800 2021``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
AGO_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}

AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时|天)前$")
DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")
FULL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
CLASSIC = re.compile(
    r"^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})"
    r" ([+-])(\d{2})(\d{2}) (\d{4})$"
)


def parse_created_at(value: str | None, *, now: datetime) -> datetime | None:
    """``value`` as a Beijing time, reading relative forms against ``now``; None if unknown."""
    text = " ".join((value or "").split())
    if not text:
        return None
    local_now = now.astimezone(SHANGHAI)
    try:
        return _parse(text, local_now)
    except ValueError:  # a form we know with impossible numbers, e.g. 02-30
        return None


def _parse(text: str, now: datetime) -> datetime | None:
    if text == "刚刚":
        return now
    if match := AGO.match(text):
        return now - timedelta(**{AGO_UNITS[match[2]]: int(match[1])})
    if match := DAY_WORD.match(text):
        day = now - timedelta(days=DAY_WORDS[match[1]])
        return day.replace(hour=int(match[2]), minute=int(match[3]), second=0, microsecond=0)
    if match := MONTH_DAY.match(text):
        return _this_year(now, int(match[1]), int(match[2]), int(match[3] or 0), int(match[4] or 0))
    if match := FULL_DATE.match(text):
        year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    if match := CLASSIC.match(text):
        return _classic(match)
    return None


def _this_year(now: datetime, month: int, day: int, hour: int, minute: int) -> datetime:
    """A date without a year is the latest such date not after ``now``."""
    moment = datetime(now.year, month, day, hour, minute, tzinfo=SHANGHAI)
    if moment > now:
        moment = moment.replace(year=now.year - 1)
    return moment


def _classic(match: re.Match[str]) -> datetime | None:
    month = MONTHS.get(match[1])
    if month is None:
        return None
    sign = 1 if match[6] == "+" else -1
    offset = timezone(sign * timedelta(hours=int(match[7]), minutes=int(match[8])))
    moment = datetime(
        int(match[9]),
        month,
        int(match[2]),
        int(match[3]),
        int(match[4]),
        int(match[5]),
        tzinfo=offset,
    )
    return moment.astimezone(SHANGHAI)
