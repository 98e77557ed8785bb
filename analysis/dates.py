"""Parse the many ways Chinese web pages write dates and times.

Every function returns timezone-aware datetimes. Strings without a zone are read in
``tz`` (Asia/Shanghai by default). Relative forms (``5分钟前``, ``昨天 10:21``) and
year-less forms (``04-25 10:21``) are resolved against ``now``. Impossible dates
(month 13, year before 1990, more than a day in the future) are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_YEAR = 1990
FUTURE_SLACK = timedelta(days=1)

_TIME = r"(?:\s*(?:T|\s)?\s*(?P<ampm>上午|下午|晚上|凌晨|早上|中午)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?(?:\.\d+)?分?秒?)"  # noqa: E501
_ZONE = r"(?:\s*(?P<Z>Z|[+-]\d{2}:?\d{2}|GMT|UTC)(?![\w]))"

ISO_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})T(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:\.\d+)?)?" + _ZONE + "?"
)
CHINESE_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?" + _TIME + "?"
)
NUMERIC_RE = re.compile(
    r"(?<![\d./-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d.]\d)"
    + _TIME
    + "?"
    + _ZONE
    + "?"
)
#: ``18-03-08 23:16`` (Baidu's 百家号 and others; inline spans may leave no space before
#: the time): a two-digit year, only with a time.
SHORT_YEAR_RE = re.compile(
    r"(?<![\d./-])(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{2})" + _TIME
)
YEARLESS_RE = re.compile(r"(?<![\d./-])(?P<m>\d{1,2})(?:[-/]|\s*月\s*)(?P<d>\d{1,2})\s*日?" + _TIME)
RELATIVE_RE = re.compile(r"(?P<n>\d+|半|一|两|几)\s*(?P<unit>秒|分钟|小时|天|周|个月)\s*(?:之?前)")
DAY_WORD_RE = re.compile(r"(?P<word>刚刚|今天|昨天|前天)" + _TIME + "?")
RFC2822_RE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|GMT|UTC|[A-Z]{3})"
)
WEIBO_RE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+"
    r"[+-]\d{4}\s+\d{4}"
)
EPOCH_RE = re.compile(r"\s*(?P<s>\d{10})(?P<ms>\d{3})?\s*")
COMPACT_RE = re.compile(
    r"\s*(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?\s*"
)  # noqa: E501
MONTH_RE = re.compile(
    r"(?<![\d./-])(?P<y>\d{4})\s*(?:年\s*|[-/.])(?P<m>\d{1,2})(?:\s*月(?!\s*\d)|(?![\d./-]))"
)

URL_DATE_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_/]?(?P<m>[01]\d)[-_/]?(?P<d>[0-3]\d)(?!\d)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-_/](?P<m>\d{1,2})[-_/](?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
)

_CN_NUMBERS = {"半": 0.5, "一": 1, "两": 2, "几": 3}
_UNIT_SECONDS = {
    "秒": 1,
    "分钟": 60,
    "小时": 3600,
    "天": 86400,
    "周": 7 * 86400,
    "个月": 30 * 86400,
}  # noqa: E501
_DAY_OFFSETS = {"刚刚": 0, "今天": 0, "昨天": 1, "前天": 2}
_PM_WORDS = {"下午", "晚上"}


def _aware(now: datetime, tz: tzinfo) -> datetime:
    """Return ``now`` as an aware datetime in ``tz``."""
    return now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)


def _zone(text: str | None, tz: tzinfo) -> tzinfo:
    """Turn ``Z``/``+08:00``/``+0800``/``GMT`` into a tzinfo, or ``tz`` when absent."""
    if not text:
        return tz
    if text in ("Z", "GMT", "UTC"):
        return ZoneInfo("UTC")
    return datetime.strptime(text.replace(":", ""), "%z").tzinfo or tz


def _valid(dt: datetime | None, now: datetime) -> datetime | None:
    """Reject dates before ``MIN_YEAR`` or more than a day after ``now``."""
    if dt is None or dt.year < MIN_YEAR or dt > now + FUTURE_SLACK:
        return None
    return dt


def _build(
    y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, tz: tzinfo = SHANGHAI
) -> datetime | None:
    """Build an aware datetime, or None when the fields are impossible."""
    try:
        return datetime(y, m, d, hh, mm, ss, tzinfo=tz)
    except ValueError:
        return None


def _hour(match: re.Match[str]) -> tuple[int, int, int]:
    """Hour, minute, second of a match of ``_TIME`` (zeros when absent)."""
    groups = match.groupdict()
    if groups.get("H") is None:
        return 0, 0, 0
    hour = int(groups["H"])
    if groups.get("ampm") in _PM_WORDS and hour < 12:
        hour += 12
    return hour, int(groups["M"]), int(groups.get("S") or 0)


def _absolute(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """Date with a year: ISO, Chinese ``年月日`` or numeric ``2021-04-25`` forms."""
    groups = match.groupdict()
    zone = _zone(groups.get("Z"), tz)
    dt = _build(int(groups["y"]), int(groups["m"]), int(groups["d"]), *_hour(match), tz=zone)
    return dt.astimezone(tz) if dt is not None and zone is not tz else dt


def _yearless(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """``04-25 10:21``: this year, or the previous one when that would be in the future."""
    month, day = int(match.group("m")), int(match.group("d"))
    dt = _build(now.year, month, day, *_hour(match), tz=tz)
    if dt is not None and dt > now + FUTURE_SLACK:
        dt = _build(now.year - 1, month, day, *_hour(match), tz=tz)
    return dt


def _short_year(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """``18-03-08 23:16``: the year in this century."""
    year = 2000 + int(match.group("y"))
    return _build(year, int(match.group("m")), int(match.group("d")), *_hour(match), tz=tz)


def _relative(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """``5分钟前``, ``3小时前``, ``2天前``."""
    raw = match.group("n")
    amount = _CN_NUMBERS[raw] if raw in _CN_NUMBERS else int(raw)
    return now - timedelta(seconds=amount * _UNIT_SECONDS[match.group("unit")])


def _day_word(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """``刚刚``, ``今天 10:21``, ``昨天 10:21``, ``前天 10:21``."""
    word = match.group("word")
    if word == "刚刚":
        return now
    day = now - timedelta(days=_DAY_OFFSETS[word])
    if match.group("H") is None:
        return _build(day.year, day.month, day.day, tz=tz)
    return _build(day.year, day.month, day.day, *_hour(match), tz=tz)


def _rfc2822(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """``Sun, 25 Apr 2021 10:00:00 +0800``."""
    try:
        dt = parsedate_to_datetime(match.group(0))
    except (TypeError, ValueError, IndexError):
        return None
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def _weibo(match: re.Match[str], now: datetime, tz: tzinfo) -> datetime | None:
    """``Sun Apr 25 10:00:00 +0800 2021`` (Weibo API ``created_at``)."""
    try:
        return datetime.strptime(match.group(0), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        return None


Parser = Callable[[re.Match[str], datetime, tzinfo], "datetime | None"]

#: Patterns searched in running text, most specific first; overlapping later matches lose.
TEXT_PARSERS: tuple[tuple[re.Pattern[str], Parser], ...] = (
    (WEIBO_RE, _weibo),
    (RFC2822_RE, _rfc2822),
    (ISO_RE, _absolute),
    (CHINESE_RE, _absolute),
    (NUMERIC_RE, _absolute),
    (SHORT_YEAR_RE, _short_year),
    (YEARLESS_RE, _yearless),
    (DAY_WORD_RE, _day_word),
    (RELATIVE_RE, _relative),
)


ABSOLUTE_PARSERS = TEXT_PARSERS[:5]


def _matches(
    text: str, now: datetime, tz: tzinfo, parsers: tuple[tuple[re.Pattern[str], Parser], ...]
) -> Iterator[tuple[int, int, datetime]]:
    """Yield ``(start, end, datetime)`` for every valid date found in ``text``."""
    for pattern, parse in parsers:
        for match in pattern.finditer(text):
            dt = _valid(parse(match, now, tz), now)
            if dt is not None:
                yield match.start(), match.end(), dt


def _non_overlapping(found: list[tuple[int, int, datetime]]) -> list[tuple[int, int, datetime]]:
    """Keep matches in text order, dropping those inside an earlier or longer match."""
    kept: list[tuple[int, int, datetime]] = []
    for start, end, dt in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, dt))
    return kept


def _whole_string(s: str, now: datetime, tz: tzinfo) -> datetime | None:
    """Forms accepted only as the whole string: epoch seconds/ms and ``20210425``."""
    if match := EPOCH_RE.fullmatch(s):
        return datetime.fromtimestamp(int(match.group("s")), tz)
    if match := COMPACT_RE.fullmatch(s):
        fields = [int(v) for v in match.groups(default="0")]
        return _build(*fields, tz=tz)
    return None


def find_dates_in_text(
    text: str, *, now: datetime | None = None, tz: tzinfo = SHANGHAI, absolute: bool = False
) -> list[datetime]:
    """Return every date written in ``text``, in order of appearance.

    With ``absolute=True`` only dates that name their year count: in running prose
    ``今天`` or ``04-25`` is rarely the publish time.
    """
    if not text:
        return []
    ref = _aware(now or datetime.now(tz), tz)
    parsers = ABSOLUTE_PARSERS if absolute else TEXT_PARSERS
    return [dt for _, _, dt in _non_overlapping(list(_matches(text, ref, tz, parsers)))]


def parse_datetime(
    s: str, *, now: datetime | None = None, tz: tzinfo = SHANGHAI
) -> datetime | None:
    """Parse the first date in ``s`` (e.g. ``发布时间：2021-04-25 10:21``), or None."""
    if not s:
        return None
    ref = _aware(now or datetime.now(tz), tz)
    found = _non_overlapping(list(_matches(s[:2000], ref, tz, TEXT_PARSERS)))
    if found:
        return found[0][2]
    return _valid(_whole_string(s, ref, tz), ref)


def parse_month(s: str, *, now: datetime | None = None, tz: tzinfo = SHANGHAI) -> datetime | None:
    """Parse a month-precision date like ``1998年3月`` or ``1998-3`` (first of the month)."""
    ref = _aware(now or datetime.now(tz), tz)
    match = MONTH_RE.search(s or "")
    if match is None:
        return None
    return _valid(_build(int(match.group("y")), int(match.group("m")), 1, tz=tz), ref)


def date_from_url(
    url: str | None, *, now: datetime | None = None, tz: tzinfo = SHANGHAI
) -> datetime | None:
    """Read a date from a URL path: ``/20210425/``, ``/2021-04/25/``, ``t20210425_`` …"""
    if not url:
        return None
    ref = _aware(now or datetime.now(tz), tz)
    path = url.split("?", 1)[0]
    for pattern in URL_DATE_RES:
        for match in pattern.finditer(path):
            dt = _valid(
                _build(int(match.group("y")), int(match.group("m")), int(match.group("d")), tz=tz),
                ref,
            )
            if dt is not None:
                return dt
    return None
