"""Where a place name stands says whether it names the place of the story.

A name inside a cited outlet (《北京青年报》), the page's source line (来源:钱江晚报) or
an outlet's name (杭州网), a street or a town named after a place (长江西路, 延安三路,
朝阳镇), a river's side (黄河南岸), a bare cell of a navigation bar (首页| 国内| 台湾|),
a menu of places across provinces, or one of a list (北京、上海等地) says little about
where a hotline failed: ``regions`` leaves out cited outlets, streets, river sides,
menus and navigation cells, counts lists less, and source lines and outlet names only
when nothing else places the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

# An outlet cited (《北京青年报》) says where the outlet is, not where the story happened.
CITED_OUTLET = re.compile(r"《[^《》]{1,20}(?:报|网|台|刊|杂志|频道|新闻)》")
# The page's own source (来源:南漳县行政审批局, 来源:钱江晚报): often where it is, or the
# outlet's home; the clue of last resort.
SOURCE_LINE = re.compile(r"来源[:：]\s*[^\s，。,|]{1,20}")
# What follows a place name that a street, a town or its office took as its own name:
# 长江西路, 延安三路, 北京东大街, 朝阳镇, 桃园办事处 (not 路政, 街头, 乡村).
STREET = re.compile(
    r"[东西南北中]?[一二三四五六七八九十0-9]{0,3}(?:路(?![政况费])|大道|大街|街(?![头坊道])|巷)"
    r"|镇(?![长政党委])|乡(?![村镇亲下里长政党委])|办事处"
)
ADMIN_ENDINGS = frozenset("省市县区旗州盟")
# 黄河南岸, 冶峪河北沿岸: a river's name and the side of it, not 河南 or 河北.
BANK_SIDE = re.compile(r"[岸沿侧畔]")
HAN = re.compile(r"[\u4e00-\u9fff]")
# ... or an outlet: 杭州网, 茂名晚报, 郴州新闻网 (not 网友). Often the only clue left.
OUTLET_NAME = re.compile(
    r"网(?![友民络点格购站页上约红吧店课信签])|新闻网|日报|晚报|晨报|都市报|商报|电视台|卫视|广播电视"
)
# 北京、上海等地: places listed for comparison, not where it happened.
LISTED = re.compile(r"[、和及与]|等地|等城市|等省|也曾|此前")
# Separators of navigation bars and breadcrumbs (首页 > 社会 | 台湾 |).
NAV_MARKS = frozenset("|>»›")
MENU_RUN, MENU_GAP, MENU_PROVINCES = 4, 3, 3
# What follows a place acting as one: its people, its offices, its hotline (高唐执法局,
# 迁安一市民, 兴宁警方). A short form so placed is as telling as the full name.
PLACE_ROLE = re.compile(
    r"(?:一|当地|本地)?(?:市民|居民|网友|男子|女子|老人|业主|家长)|警方|"
    r"(?:县|市|区)(?:委|政府|长)|(?:执法|公安|城管|交警|卫健|教育|住建|民政|人社|市场监管)局|"
    r"人民(?:政府|医院|法院|检察院)|供电|交警|城管|消防|12345|市长热线|热线|\s?报道|\s?报导|讯"
)


class Spanned(Protocol):  # a place name found in a text
    start: int
    end: int

    @property
    def province(self) -> str: ...


S = TypeVar("S", bound=Spanned)


def standing_names(text: str, hits: Sequence[S]) -> list[S]:
    """The names in ``hits`` (in order) that may say where the story happened.

    A name running into the next one (广东省广州市) is kept for the chain rule; menus are
    found among the names left after streets, so a street name never makes a menu.
    """
    starts = {hit.start for hit in hits}
    kept = [
        hit
        for hit in hits
        if hit.end in starts
        or not (street_name(text, hit.end) or river_side(text, hit.start, hit.end))
    ]
    menu = menu_members(kept)
    in_bars = any(mark in text for mark in NAV_MARKS)  # most pages have no bar to be a cell of
    return [
        hit
        for i, hit in enumerate(kept)
        if i not in menu and not (in_bars and navigation_cell(text, hit.start, hit.end))
    ]


def cited_outlet_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in CITED_OUTLET.finditer(text)]


def source_line_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in SOURCE_LINE.finditer(text)]


def street_name(text: str, end: int) -> bool:
    """Does the short name ending at ``end`` go on into a street or town name (长江西路)?

    A full name does not: 达川区南大街 is a street in 达川区.
    """
    return text[end - 1] not in ADMIN_ENDINGS and STREET.match(text, end) is not None


def river_side(text: str, start: int, end: int) -> bool:
    """Is a name ending in a direction the side of a river named just before (黄河南岸)?"""
    return (
        text[end - 1] in "东南西北"
        and start > 0
        and HAN.match(text, start - 1) is not None
        and BANK_SIDE.match(text, end) is not None
    )


def outlet_name(text: str, end: int) -> bool:
    """Does the name ending at ``end`` go on into an outlet's name (杭州网)?"""
    return OUTLET_NAME.match(text, end) is not None


def navigation_cell(text: str, start: int, end: int) -> bool:
    """Is the name alone between the separators of a navigation bar (| 台湾 |)?"""
    before = text[max(0, start - 8) : start].rstrip()
    after = text[end : end + 8].lstrip()
    opens = before[-1:] in NAV_MARKS if before else start < 8
    closes = after[:1] in NAV_MARKS if after else end + 8 >= len(text)
    return opens and closes and (before[-1:] in NAV_MARKS or after[:1] in NAV_MARKS)


def in_place_role(text: str, end: int) -> bool:
    """Does the name ending at ``end`` act as a place (高唐执法局, 迁安一市民, 南投 报导)?"""
    return PLACE_ROLE.match(text, end) is not None


def listed(text: str, position: int, length: int) -> bool:
    """Is the name one of a list (北京、上海等地) rather than the subject?"""
    before = text[max(0, position - 3) : position]
    after = text[position + length : position + length + 3]
    return bool(LISTED.search(before[-1:] + after[:1]) or LISTED.match(after))


def menu_members(hits: Sequence[Spanned]) -> set[int]:
    """Indexes of names in runs of MENU_RUN or more, a few characters apart, across provinces."""
    members: set[int] = set()
    first = 0
    for i in range(1, len(hits) + 1):
        if i < len(hits) and hits[i].start - hits[i - 1].end <= MENU_GAP:
            continue
        run = hits[first:i]
        if len(run) >= MENU_RUN and len({hit.province for hit in run}) >= MENU_PROVINCES:
            members.update(range(first, i))
        first = i
    return members
