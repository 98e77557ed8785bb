"""The gazetteer: China's administrative divisions and every name they go by.

``load_gazetteer`` reads ``analysis/data/regions.tsv`` (six-digit codes and official
names) and derives the short forms (新乡 for 新乡市, 广西 for 广西壮族自治区, 延边州 for
延边朝鲜族自治州), marking the two-character county forms weak (浦东, 长垣: many are
common words) and adding provinces' other names (``region_names.ALIASES``).
``Gazetteer.find`` lists the names in a text, longest first, scanning in C
(``_places.pyx``) where built. How a mention is weighed and resolved is ``regions``'s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from analysis.tags.region_names import ALIASES, AMBIGUOUS_STEMS, ETHNIC_TAIL, MUNICIPALITIES

try:
    from analysis.tags._places import PairSet
except ImportError:  # not built (a source checkout that was not installed): numpy scans
    PairSet = None

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "县", "区", "旗", "市")


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
    finder: PairSet | None  # the first-two-character pairs as a compiled set (None: not built)
    # Names with weak short forms -> their candidates as full names: 高唐执法局, 迁安一市民.
    in_role: dict[str, tuple[Candidate, ...]]

    def find(self, text: str) -> list[tuple[int, str]]:
        """(position, name) of each name, scanning left to right, longest name first.

        Only positions whose two characters begin some name are tried; a name found
        skips the positions it covers.
        """
        found, position = [], 0
        for start in self._starts(text):
            if start < position:
                continue
            for length in self.lengths[text[start : start + 2]]:
                name = text[start : start + length]
                if name in self.names:
                    found.append((start, name))
                    position = start + length
                    break
        return found

    def _starts(self, text: str) -> list[int]:
        """Positions whose two characters begin some name, in order."""
        if self.finder is not None:
            return self.finder.starts(text)
        pairs = pair_keys(text)  # the whole text at once in numpy
        at = np.searchsorted(self.prefixes, pairs)
        at[at == len(self.prefixes)] = 0
        return np.flatnonzero(self.prefixes[at] == pairs).tolist()


def pair_keys(text: str) -> np.ndarray:
    """The two characters at each position of ``text`` as one integer (none at the end)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
    return (codes[:-1] << 21) | codes[1:]


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
    return Gazetteer(
        divisions=divisions,
        names=frozen,
        lengths=longest_first,
        prefixes=np.sort(keys),
        finder=PairSet(keys) if PairSet is not None else None,
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


def _lineage(code: str) -> list[str]:
    """Province, city and the division itself, top down (without duplicates)."""
    return list(dict.fromkeys([code[:2] + "0000", code[:4] + "00", code]))
