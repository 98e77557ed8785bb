"""Regions from a gazetteer of Chinese administrative divisions, with official full names.

A mention counts for its division and every division above it; places in the
title, the opening and next to the hotline count more, so the place where the
failure happened wins over places merely mentioned. Short forms (新乡, 广西)
resolve to official names (新乡市, 广西壮族自治区); a name shared by several
divisions (朝阳区) is kept only when the text also names one of their parents.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MUNICIPALITIES = ("11", "12", "31", "50")
PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "县", "区", "旗", "市")
# Stems that are ordinary words or surnames far more often than places.
AMBIGUOUS_STEMS = frozenset(
    "城区 郊区 新区 矿区 高新 开发 中山 和平 长安 新华 胜利 人民 东风 文化 团结 红旗 "
    "青山 白云 南山 北山 东山 西山 城关 永安 安定 阿里 江南 "
    "东区 西区 南区 北区 中区 普陀 铁山 东方 城中 城东 城西 城南 城北".split()
)
HOTLINE_CONTEXT = re.compile(r"12345|热线|接线员|话务员|投诉|举报")
TITLE_WEIGHT, OPENING_WEIGHT, NEAR_HOTLINE_WEIGHT = 4.0, 2.0, 2.0
OPENING_CHARS = 200


@dataclass(frozen=True)
class Division:
    code: str  # six digits: province 2, city 2, county 2
    name: str

    @property
    def level(self) -> str:
        if self.code[2:] == "0000":
            return "province"
        return "city" if self.code[4:] == "00" else "county"


@dataclass(frozen=True)
class Gazetteer:
    divisions: dict[str, Division]
    names: dict[str, tuple[Division, ...]]  # name or short form -> divisions
    by_first_char: dict[str, tuple[str, ...]]  # first character -> names, longest first


def regions(text: str, *, title: str = "") -> list[dict[str, str]]:
    """Regions mentioned, best first: ``[{"province": "河南省", "city": "新乡市"}, ...]``."""
    gazetteer = load_gazetteer()
    scores: dict[str, float] = {}  # insertion order = order of first mention, breaks ties
    mentions = _mentions(gazetteer, title, TITLE_WEIGHT) + _mentions(gazetteer, text, 1.0, text)
    named_codes = {d.code for _, divisions in mentions for d in divisions}
    for weight, divisions in mentions:
        division = _disambiguate(divisions, named_codes)
        if division is None:
            continue
        for code in _lineage(division.code):
            if code in gazetteer.divisions:
                scores[code] = scores.get(code, 0.0) + weight
    return _best_regions(gazetteer, scores)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    rows = resources.files("analysis.data").joinpath("regions.tsv").read_text(encoding="utf-8")
    divisions = {}
    for line in rows.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            divisions[code] = Division(code, name)
    names: dict[str, list[Division]] = defaultdict(list)
    for division in divisions.values():
        for name in _names_of(division):
            if division not in names[name]:
                names[name].append(division)
    by_first: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_first[name[0]].append(name)
    return Gazetteer(
        divisions=divisions,
        names={name: tuple(ds) for name, ds in names.items()},
        by_first_char={c: tuple(sorted(ns, key=len, reverse=True)) for c, ns in by_first.items()},
    )


def _names_of(division: Division) -> list[str]:
    suffixes = {"province": PROVINCE_SUFFIXES, "city": CITY_SUFFIXES, "county": COUNTY_SUFFIXES}
    names = [division.name]
    for suffix in suffixes[division.level]:
        stem = division.name.removesuffix(suffix)
        if stem != division.name:
            stem = _strip_ethnic(stem) if division.level != "county" else stem
            min_length = 2 if division.level != "county" else 3
            if len(stem) >= min_length and stem not in AMBIGUOUS_STEMS:
                names.append(stem)
            break
    return names


def _strip_ethnic(stem: str) -> str:
    """延边朝鲜族 -> 延边; 内蒙古 stays."""
    match = re.match(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,4}族)+$", stem)
    return match.group(1) if match else stem


def _mentions(
    gazetteer: Gazetteer, text: str, base_weight: float, body: str | None = None
) -> list[tuple[float, tuple[Division, ...]]]:
    found = []
    position = 0
    hotline_positions = [m.start() for m in HOTLINE_CONTEXT.finditer(text)] if body else []
    while position < len(text):
        match = _longest_name_at(gazetteer, text, position)
        if match is None:
            position += 1
            continue
        weight = base_weight
        if body is not None:
            if position < OPENING_CHARS:
                weight *= OPENING_WEIGHT
            if any(abs(position - p) <= 30 for p in hotline_positions):
                weight *= NEAR_HOTLINE_WEIGHT
        found.append((weight, gazetteer.names[match]))
        position += len(match)
    return found


def _longest_name_at(gazetteer: Gazetteer, text: str, position: int) -> str | None:
    for name in gazetteer.by_first_char.get(text[position], ()):
        if text.startswith(name, position):
            return name
    return None


def _disambiguate(divisions: tuple[Division, ...], named_codes: set[str]) -> Division | None:
    if len(divisions) == 1:
        return divisions[0]
    supported = [d for d in divisions if any(c in named_codes for c in _lineage(d.code)[:-1])]
    return supported[0] if len(supported) == 1 else None


def _lineage(code: str) -> list[str]:
    """Province, city and the division itself, top down (without duplicates)."""
    chain = [code[:2] + "0000", code[:4] + "00", code]
    return list(dict.fromkeys(chain))


def _best_regions(gazetteer: Gazetteer, scores: dict[str, float]) -> list[dict[str, str]]:
    order = {code: i for i, code in enumerate(scores)}
    provinces = sorted(
        (c for c in scores if c.endswith("0000")), key=lambda c: (-scores[c], order[c])
    )
    results = []
    for province in provinces[:3]:
        region = {"province": gazetteer.divisions[province].name}
        prefix = province[:2]
        if prefix in MUNICIPALITIES:
            region["city"] = region["province"]
            counties = [c for c in scores if c.startswith(prefix) and c[4:] != "00"]
        else:
            cities = [
                c for c in scores if c.startswith(prefix) and c[2:] != "0000" and c[4:] == "00"
            ]
            if cities:
                city = min(cities, key=lambda c: (-scores[c], order[c]))
                region["city"] = gazetteer.divisions[city].name
                prefix = city[:4]
            counties = [
                c for c in scores if c.startswith(prefix) and c[4:] != "00" and len(prefix) == 4
            ]
        if counties:
            county = min(counties, key=lambda c: (-scores[c], order[c]))
            region["county"] = gazetteer.divisions[county].name
        results.append(region)
    return results
