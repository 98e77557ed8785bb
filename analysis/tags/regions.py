"""Regions from a gazetteer of Chinese administrative divisions, with official full names.

One scan of the text finds every place name (official names and short forms: 新乡 →
新乡市, 广西 → 广西壮族自治区, 浦东 → 浦东新区; ``gazetteer``). A mention counts for
its division and every division above it; mentions in the title, in the opening
and next to the hotline count more, so the place where the failure happened wins
over places merely mentioned. A name shared by several divisions (朝阳区, 鼓楼区)
goes to the one whose province or city the text also names, else to the one in the
city of highest rank (municipality, sub-provincial city, capital) if only one is;
two-character county short forms (浦东, 长垣) count only with such support, since many
are common words, or when the text uses them as a place (高唐执法局, 迁安一市民).
Provinces also answer to their other names (齐鲁, 冀北; ``region_names``).
Words that only Hong Kong, Macau or Taiwan use (本港, 1823, 卫福部) count as mentions
of those regions (``region_markers``); a cited outlet (《北京青年报》), a menu of
places, a street or town named after a place (长江西路, 朝阳镇), a river's side
(黄河南岸), a bare navigation cell and the upper links of a chain (广东省广州市南沙区) do
not count (``region_context``), and names in the source line (来源:...) or an outlet's
name (杭州网) count only when nothing else places the page.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from analysis.tags.gazetteer import Candidate, Division, Gazetteer, load_gazetteer
from analysis.tags.region_context import (
    cited_outlet_spans,
    in_place_role,
    listed,
    outlet_name,
    source_line_spans,
    standing_names,
)
from analysis.tags.region_markers import find_markers
from analysis.tags.region_names import MUNICIPALITIES, SUB_PROVINCIAL_CITIES
from analysis.tags.script import plain

# A channel or a failure just after a place: 新乡市长信箱, 应城市民打不通 (where it happened).
HOTLINE_CONTEXT = re.compile(
    r"12345|热线|接线员|话务员|投诉|举报|信箱|留言板|打不通|无人接听|辱骂|推诿|踢皮球|泄露"
)
TITLE_WEIGHT, OPENING_WEIGHT, NEAR_HOTLINE_WEIGHT = 4.0, 2.0, 2.0
OPENING_CHARS, NEAR_HOTLINE_CHARS = 200, 25
LIST_WEIGHT, REPEAT_WEIGHT = 0.5, 0.5
OUTLET_WEIGHT = 0.1  # 杭州网, 来源:南漳县…: where the outlet is, the clue of last resort
LEVELS = {"province": 0, "city": 1, "county": 2}


class Mention(NamedTuple):
    weight: float
    candidates: tuple[Candidate, ...]


def regions(text: str, *, title: str = "") -> list[dict[str, str]]:
    """Regions mentioned, best first: ``[{"province": "河南省", "city": "新乡市"}, ...]``.

    Municipalities give ``city`` equal to ``province`` (北京市/北京市); ``county`` is
    added when a county or district is identified.
    """
    gazetteer = load_gazetteer()
    title, text = plain(title), plain(text)
    mentions = _mentions(gazetteer, title, TITLE_WEIGHT, near_hotline=False)
    mentions += _mentions(gazetteer, text, 1.0, near_hotline=True)
    scores = _scores(gazetteer, mentions, _named_codes(mentions))
    return _best_regions(gazetteer, scores)


def _scores(gazetteer: Gazetteer, mentions: list[Mention], named: set[str]) -> dict[str, float]:
    """Each division's weight; insertion order = order of first mention, breaks ties."""
    scores: dict[str, float] = {}
    for mention in mentions:
        candidates = mention.candidates
        if len(candidates) == 1 and not candidates[0].weak:
            division: Division | None = candidates[0].division  # a lone full name: itself
        else:
            division = _resolve(candidates, named)
        if division is None:
            continue
        for code in division.lineage:
            if code in gazetteer.divisions:
                scores[code] = scores.get(code, 0.0) + mention.weight
    return scores


class _Hit(NamedTuple):  # a tuple: a page has dozens, made in the crawl's hot path
    start: int
    end: int
    key: str  # the name or marker as written: repeats of it count less
    candidates: tuple[Candidate, ...]

    @property
    def province(self) -> str:
        return self.candidates[0].division.code[:2]


def _mentions(
    gazetteer: Gazetteer, text: str, base_weight: float, *, near_hotline: bool
) -> list[Mention]:
    """Every place name in ``text`` with its weight: where it stands, how often it came.

    Names in an outlet's name (《北京青年报》, 来源:钱江晚报) and in menus of places
    (盐边县|呼和浩特市|甘泉县|...) are left out; in a chain (广东省广州市南沙区) only
    the last name counts, since it stands for the divisions above it.
    """
    hotline_positions = [m.start() for m in HOTLINE_CONTEXT.finditer(text)] if near_hotline else []
    cited, sources = cited_outlet_spans(text), source_line_spans(text)
    hits = _hits(gazetteer, text)
    if cited:
        hits = [h for h in hits if not any(a <= h.start < b for a, b in cited)]
    hits = standing_names(text, hits)
    starts = {hit.start for hit in hits}
    found: list[Mention] = []
    seen: set[str] = set()
    for i, hit in enumerate(hits):
        weight = base_weight
        if near_hotline and hit.start < OPENING_CHARS:
            weight *= OPENING_WEIGHT
        if _near(hit.start, hotline_positions):
            weight *= NEAR_HOTLINE_WEIGHT
        if listed(text, hit.start, hit.end - hit.start):
            weight *= LIST_WEIGHT
        if hit.key in seen:
            weight *= REPEAT_WEIGHT
        if (sources and any(a <= hit.start < b for a, b in sources)) or (
            hit.end not in starts and outlet_name(text, hit.end)
        ):
            weight *= OUTLET_WEIGHT
        if i + 1 < len(hits) and _chained(hit, hits[i + 1]):
            weight = 0.0
        seen.add(hit.key)
        found.append(Mention(weight, hit.candidates))
    return found


def _hits(gazetteer: Gazetteer, text: str) -> list[_Hit]:
    """Place names and regional markers, in order; a marker wins where the two overlap."""
    markers = [
        _Hit(
            m.start, m.end, text[m.start : m.end], (Candidate(gazetteer.divisions[m.code], False),)
        )
        for m in find_markers(text)
        if m.code in gazetteer.divisions
    ]
    names = []
    for start, name in gazetteer.find(text):
        end, candidates = start + len(name), gazetteer.names[name]
        in_role = gazetteer.in_role.get(name)
        if in_role is not None and in_place_role(text, end):
            candidates = in_role  # weak short forms followed by a place's people or offices
        names.append(_Hit(start, end, name, candidates))
    names = [n for n in names if not any(m.start < n.end and n.start < m.end for m in markers)]
    return sorted(markers + names, key=lambda hit: hit.start)


def _chained(hit: _Hit, following: _Hit) -> bool:
    """Does ``following`` go on naming a division inside ``hit`` (广东省 + 广州市)?"""
    if following.start != hit.end:
        return False
    parents = {c.division.code for c in hit.candidates}
    return any(
        parent in c.division.lineage[:-1] for c in following.candidates for parent in parents
    )


def _near(position: int, sorted_positions: list[int]) -> bool:
    """Is a hotline word within a few characters after the place (郑州市民拨打12345)?"""
    i = bisect_left(sorted_positions, position)
    return i < len(sorted_positions) and sorted_positions[i] <= position + NEAR_HOTLINE_CHARS


def _named_codes(mentions: list[Mention]) -> set[str]:
    """Codes (with their parents) named without ambiguity: the clues for the rest."""
    named: set[str] = set()
    for mention in mentions:
        strong = [c for c in mention.candidates if not c.weak]
        if len(strong) == 1:
            named.update(strong[0].division.lineage)
    return named


def _resolve(candidates: tuple[Candidate, ...], named: set[str]) -> Division | None:
    """The division a name stands for here, or None when the text gives no way to tell."""
    supported = [c for c in candidates if any(p in named for p in c.division.lineage[:-1])]
    if supported:
        return max(supported, key=lambda c: len(c.division.lineage) - c.weak).division
    strong = [c.division for c in candidates if not c.weak]
    if len(strong) == 1:
        return strong[0]
    highest = min((d.level for d in strong), key=LEVELS.get, default=None)
    top = [d for d in strong if d.level == highest]
    if len(top) > 1:  # 朝阳区, 鼓楼区: the one in the most prominent city, if only one is
        first = min(_prominence(d) for d in top)
        top = [d for d in top if _prominence(d) == first]
    return top[0] if len(top) == 1 else None


def _prominence(division: Division) -> int:
    """The rank of the division's city: municipality, sub-provincial city, capital, other."""
    if division.code[:2] in MUNICIPALITIES:
        return 0
    if division.code[:4] in SUB_PROVINCIAL_CITIES:
        return 1
    return 2 if division.code[2:4] == "01" and division.code[:2] < "71" else 3


def _best_regions(gazetteer: Gazetteer, scores: dict[str, float]) -> list[dict[str, str]]:
    order = {code: i for i, code in enumerate(scores)}

    def best(codes: list[str]) -> str | None:
        return min(codes, key=lambda c: (-scores[c], order[c])) if codes else None

    provinces = sorted(
        (c for c in scores if c.endswith("0000")), key=lambda c: (-scores[c], order[c])
    )
    results = []
    for province in provinces[:3]:
        region = {"province": gazetteer.divisions[province].name}
        prefix = province[:2]
        if prefix in MUNICIPALITIES:
            region["city"] = region["province"]
            county = best([c for c in scores if c.startswith(prefix) and c[4:] != "00"])
        else:
            city = best([c for c in scores if c.startswith(prefix) and _is_city(gazetteer, c)])
            county = None
            if city is not None:
                region["city"] = gazetteer.divisions[city].name
                if city[4:] == "00":
                    county = best([c for c in scores if c.startswith(city[:4]) and c[4:] != "00"])
        if county is not None:
            region["county"] = gazetteer.divisions[county].name
        results.append(region)
    return results


def _is_city(gazetteer: Gazetteer, code: str) -> bool:
    """Prefecture-level, or a county-level city run by the province itself (济源, 仙桃)."""
    if code[2:] == "0000":
        return False
    return code[4:] == "00" or code[:4] + "00" not in gazetteer.divisions
