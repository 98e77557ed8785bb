"""Regions from a gazetteer of Chinese administrative divisions, with official full names.

One pass of a trie-shaped regex finds every place name (official names and short
forms: 新乡 → 新乡市, 广西 → 广西壮族自治区, 浦东 → 浦东新区). A mention counts for
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
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from analysis.tags.region_context import (
    cited_outlet_spans,
    in_place_role,
    listed,
    outlet_name,
    source_line_spans,
    standing_names,
)
from analysis.tags.region_markers import find_markers
from analysis.tags.region_names import (
    ALIASES,
    AMBIGUOUS_STEMS,
    ETHNIC_TAIL,
    MUNICIPALITIES,
    SUB_PROVINCIAL_CITIES,
)
from analysis.tags.script import plain

try:
    from analysis.tags._places import PlaceFinder
except ImportError:  # not built (a source checkout that was not installed): numpy scans
    PlaceFinder = None

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "县", "区", "旗", "市")
# A channel or a failure just after a place: 新乡市长信箱, 应城市民打不通 (where it happened).
HOTLINE_CONTEXT = re.compile(
    r"12345|热线|接线员|话务员|投诉|举报|信箱|留言板|打不通|无人接听|辱骂|推诿|踢皮球|泄露"
)
TITLE_WEIGHT, OPENING_WEIGHT, NEAR_HOTLINE_WEIGHT = 4.0, 2.0, 2.0
OPENING_CHARS, NEAR_HOTLINE_CHARS = 200, 25
LIST_WEIGHT, REPEAT_WEIGHT = 0.5, 0.5
OUTLET_WEIGHT = 0.1  # 杭州网, 来源:南漳县…: where the outlet is, the clue of last resort
LEVELS = {"province": 0, "city": 1, "county": 2}


@dataclass(frozen=True)
class Division:
    code: str  # six digits: province 2, city 2, county 2
    name: str

    @cached_property
    def lineage(self) -> tuple[str, ...]:
        """Province, city and the division itself, top down (without duplicates)."""
        return tuple(_lineage(self.code))

    @property
    def level(self) -> str:
        if self.code[2:] == "0000":
            return "province"
        return "city" if self.code[4:] == "00" else "county"


@dataclass(frozen=True)
class Candidate:
    division: Division
    weak: bool  # a short form that needs a parent named elsewhere in the text


@dataclass(frozen=True)
class Gazetteer:
    divisions: dict[str, Division]
    names: dict[str, tuple[Candidate, ...]]
    lengths: dict[str, tuple[int, ...]]  # first two characters -> name lengths, longest first
    prefixes: np.ndarray  # the keys of those first two characters (pair_keys), sorted
    finder: PlaceFinder | None  # the same scan compiled (None when not built)
    # Names with weak short forms -> their candidates as full names: 高唐执法局, 迁安一市民.
    in_role: dict[str, tuple[Candidate, ...]]

    def find(self, text: str) -> list[tuple[int, str]]:
        """(position, name) of each name, scanning left to right, longest name first.

        Only positions whose two characters begin some name are tried (found for the
        whole text at once in numpy); a name found skips the positions it covers.
        """
        if self.finder is not None:
            return self.finder.find(text)
        pairs = pair_keys(text)
        at = np.searchsorted(self.prefixes, pairs)
        at[at == len(self.prefixes)] = 0
        found, position = [], 0
        for start in np.flatnonzero(self.prefixes[at] == pairs).tolist():
            if start < position:
                continue
            for length in self.lengths[text[start : start + 2]]:
                name = text[start : start + length]
                if name in self.names:
                    found.append((start, name))
                    position = start + length
                    break
        return found


def pair_keys(text: str) -> np.ndarray:
    """The two characters at each position of ``text`` as one integer (none at the end)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
    return (codes[:-1] << 21) | codes[1:]


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


def short_province(name: str) -> str:
    """A province without its suffix: 河南省 -> 河南, 广西壮族自治区 -> 广西, 北京市 -> 北京."""
    for suffix in PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The divisions in ``analysis/data/regions.tsv`` and every name they go by."""
    rows = resources.files("analysis.data").joinpath("regions.tsv").read_text(encoding="utf-8")
    divisions: dict[str, Division] = {}
    for line in rows.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")[:2]
            divisions[code] = Division(code, name)
    names: dict[str, list[Candidate]] = defaultdict(list)
    upper = {n for d in divisions.values() if d.level != "county" for n, _ in _names_of(d)}
    for division in divisions.values():
        if division.level == "city" and division.code[:2] in MUNICIPALITIES:
            continue  # 北京市 the city is 北京市 the province
        for name, weak in _names_of(division):
            if division.level == "county" and name != division.name and name[:-1] in upper:
                continue  # 河南县 (青海) from 河南蒙古族自治县 would catch 河南县城
            if all(c.division != division for c in names[name]):
                names[name].append(Candidate(division, weak))
    for alias, code in ALIASES.items():
        if code in divisions:
            names[alias].append(Candidate(divisions[code], weak=False))
    lengths: dict[str, set[int]] = defaultdict(set)
    for name in names:
        lengths[name[:2]].add(len(name))
    for name, candidates in names.items():
        if any(c.division.level != "county" for c in candidates):
            # 乌鲁木齐 is the city, not 乌鲁木齐县; the county still answers to its full name.
            candidates[:] = [
                c for c in candidates if c.division.level != "county" or c.division.name == name
            ]
    longest_first = {prefix: tuple(sorted(ls, reverse=True)) for prefix, ls in lengths.items()}
    frozen = {name: tuple(candidates) for name, candidates in names.items()}
    keys = np.concatenate([pair_keys(prefix) for prefix in longest_first])
    finder = None
    if PlaceFinder is not None:
        finder = PlaceFinder(keys, list(longest_first.values()), frozen)
    return Gazetteer(
        divisions=divisions,
        names=frozen,
        lengths=longest_first,
        prefixes=np.sort(keys),
        finder=finder,
        in_role={
            name: tuple(Candidate(c.division, False) for c in candidates)
            for name, candidates in frozen.items()
            if any(c.weak for c in candidates)
        },
    )


def _names_of(division: Division) -> list[tuple[str, bool]]:
    """The official name and its short form, each with whether it is weak evidence."""
    suffixes = {"province": PROVINCE_SUFFIXES, "city": CITY_SUFFIXES, "county": COUNTY_SUFFIXES}
    names = [(division.name, False)]
    for suffix in suffixes[division.level]:
        stem = division.name.removesuffix(suffix)
        if stem == division.name:
            continue
        full_stem = stem
        if division.level != "county" or len(stem) >= 3:
            stem = _strip_ethnic(stem)
        if len(stem) >= 2 and stem not in AMBIGUOUS_STEMS:
            names.append((stem, division.level == "county" and len(stem) < 3))
        if division.level == "city" and suffix == "自治州" and len(stem) >= 2:
            names.append((stem + "州", False))  # 延边州, 海南州 (青海), 黔东南州
        if division.level == "county" and stem != full_stem and len(stem) >= 2:
            # 管城回族区 is written 管城区, 青龙满族自治县 青龙县: as telling as the full name.
            names.append((stem + suffix.removeprefix("自治"), False))
        break
    return names


def _strip_ethnic(stem: str) -> str:
    """延边朝鲜族 → 延边, 莫力达瓦达斡尔族 → 莫力达瓦, 恭城瑶族 → 恭城; 内蒙古 stays."""
    match = ETHNIC_TAIL.search(stem)
    return stem[: match.start()] if match and match.start() >= 2 else stem


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


def _lineage(code: str) -> list[str]:
    """Province, city and the division itself, top down (without duplicates)."""
    return list(dict.fromkeys([code[:2] + "0000", code[:4] + "00", code]))


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
