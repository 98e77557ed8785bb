"""Shared wording and HTML pieces: levels, categories, regions, reasons, links, times."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape
from importlib import resources
from string import Template
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from analysis.risk import LEVEL_NAMES

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEVEL_COLORS = {"red": "#c0392b", "orange": "#e67e22", "yellow": "#d4ac0d", "blue": "#2e86c1"}
CATEGORY_NAMES = {
    "rudeness": "态度恶劣",
    "unreachable": "打不通",
    "buck_passing": "推诿扯皮",
    "fake_closure": "虚假办结",
    "privacy_leak": "泄露隐私",
    "no_resolution": "问题未解决",
    "other": "其他",
}
TIER_NAMES = {1: "央媒", 2: "省级媒体", 3: "门户网站", 4: "自媒体"}
_REASONS = (
    (re.compile(r"^(\d+) reports from (\d+) sources$"), "{0} 篇报道，{1} 个来源"),
    (re.compile(r"^(\d+) reports in the last 24 hours$"), "24 小时内 {0} 篇报道"),
    (re.compile(r"^mean negativity ([\d.]+)$"), "平均负面度 {0}"),
    (re.compile(r"^covered by central media$"), "央媒报道"),
    (re.compile(r"^covered by provincial media$"), "省级媒体报道"),
    (re.compile(r"^covered by portal$"), "门户网站报道"),
    (re.compile(r"^covered by self-media$"), "自媒体报道"),
    (re.compile(r"^covered by tier (\d+)$"), "{0} 级来源报道"),
    (re.compile(r"^sensitive terms: (.*)$"), "敏感词：{0}"),
    (
        re.compile(r"^social reach (\d+) \(reposts \+ comments \+ likes\)$"),
        "社交传播量 {0}（转发+评论+点赞）",
    ),
)
_FAILURE_TYPE = re.compile(r"^failure type: (.*)$")
_POINTS = re.compile(r"^(.*) \(\+(\d+)\)$")


def level_label(level: str) -> str:
    """``橙色`` for orange."""
    return f"{LEVEL_NAMES[level]}色"


def reason_zh(reason: str) -> str:
    """A risk reason from ``analysis.risk`` in Chinese; unknown wording is kept as it is."""
    points = ""
    found = _POINTS.match(reason)
    if found:
        reason, points = found.group(1), f"（+{found.group(2)}）"
    failure = _FAILURE_TYPE.match(reason)
    if failure:
        names = [category_name(c.strip()) for c in failure.group(1).split(",") if c.strip()]
        return "问题类型：" + "、".join(names) + points
    return translate(reason, _REASONS, default=reason) + points


def translate(
    text: str, table: Iterable[tuple[re.Pattern[str], str]], *, default: str
) -> str:
    """The template of the first pattern in ``table`` that matches ``text``, filled
    with the match's groups (``{0}``, ``{1}``...); ``default`` when none matches."""
    for pattern, template in table:
        found = pattern.match(text)
        if found:
            return template.format(*found.groups())
    return default


def category_name(category: str) -> str:
    return CATEGORY_NAMES.get(category, category)


def categories_text(categories: Iterable[str]) -> str:
    return "、".join(category_name(c) for c in categories) or "—"


def region_text(region: Mapping[str, str]) -> str:
    parts = [region.get(k, "") for k in ("province", "city", "county")]
    out: list[str] = []
    for part in parts:
        if part and part not in out:
            out.append(part)
    return "".join(out)


def regions_text(regions: Iterable[Mapping[str, str]]) -> str:
    return "、".join(t for t in (region_text(r) for r in regions) if t) or "—"


def when(moment: datetime | None, *, with_year: bool = False) -> str:
    if moment is None:
        return "时间不详"
    local = (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(
        SHANGHAI
    )
    return local.strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")


def safe_url(url: str) -> str | None:
    """The URL if it is http(s), else None (a crawled page must not inject javascript:)."""
    return url if urlparse(url).scheme in ("http", "https") else None


def link_html(text: str, url: str, *, style: str = "color:#1a5fb4") -> str:
    """An escaped link; a URL that is not http(s) is shown as plain text."""
    target = safe_url(url)
    if target is None:
        return escape(text)
    return f'<a href="{escape(target, quote=True)}" style="{style}">{escape(text)}</a>'


def badge_html(level: str) -> str:
    color = LEVEL_COLORS[level]
    return (
        f'<span style="display:inline-block;background:{color};color:#fff;border-radius:3px;'
        f'padding:1px 6px;font-size:12px;font-weight:bold">{escape(level_label(level))}</span>'
    )


def signed(value: float, *, percent: bool = False) -> str:
    """``+3``, ``-2``, ``持平``; percentages as percentage points."""
    if percent:
        points = value * 100
        return "持平" if abs(points) < 0.05 else f"{points:+.1f} 个百分点"
    return "持平" if value == 0 else f"{value:+.0f}"


def number(value: float, *, percent: bool = False) -> str:
    return f"{value * 100:.1f}%" if percent else f"{value:.0f}"


def template(name: str) -> Template:
    """A ``string.Template`` from ``reports/templates/``."""
    text = resources.files("reports").joinpath("templates", name).read_text(encoding="utf-8")
    return Template(text)
