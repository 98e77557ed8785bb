"""Words that place a story in Hong Kong, Macau or Taiwan without naming a division.

Reports from there seldom write 香港 or 台湾: they say 本港, 港府 or 立法院, name the
1823 or 1999 hotline, or the department (食环署, 卫福部). Each marker counts as a
mention of its region, as a place name would; mainland text rarely uses any of them.
Written Cantonese (嘅, 咗, 唔, 喺) counts once, when three or more of its particles occur.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from analysis.tags.lexicon import trie_pattern

HONG_KONG, MACAU, TAIWAN, TAIPEI = "810000", "820000", "710000", "710100"
MARKERS = {
    HONG_KONG: (
        "本港 港府 港人 港岛 新界 特区政府 立法会 申诉专员 食环署 食物环境卫生署 康文署 "
        "康乐及文化事务署 地政总署 民政事务总署 民政事务局 社署 社会福利署 效率促进办公室 "
        "效率办 区议员 区议会 医管局 医院管理局 屋宇署 路政署 渠务署 运输署 房屋署 水务署 "
        "劳工处 入境处 警务处 港铁 港闻 劏房"
    ),
    MACAU: "本澳 澳府 劳工事务局 民政总署 市政署 治安警察局",
    TAIWAN: (
        "卫福部 卫生福利部 立法院 行政院 国民党团 民进党 市议员 区公所 新台币 "
        "罚锾 地检署 廉政署 劳保局 健保署 里长 乡公所 镇公所 彰县 投县 苗县 屏县 竹县"
    ),
    TAIPEI: "北市府 台北市政府",
}
# Hotlines run only there: Hong Kong's 1823, Taiwan's city (1999), epidemic (1922)
# and mental-health (1925) lines; a year (1999年) is not a hotline.
NUMBERS = {"1823": HONG_KONG, "1999": TAIWAN, "1922": TAIWAN, "1925": TAIWAN}
# No digit before the number: checked behind its four digits, so the pattern begins with
# them and the regex engine skips to where they stand (a leading lookbehind is tried at
# every position).
NUMBER = re.compile(
    "(?:" + "|".join(NUMBERS) + ")"
    r"(?<![0-9][0-9]{4})(?!\s*[0-9年件个宗次人元万条户名项起\-~至/.%])"
)
CANTONESE = re.compile("[嘅咗唔喺佢冇啲嚟畀睇]")
MIN_CANTONESE = 3


class Marker(NamedTuple):
    start: int
    end: int
    code: str


@lru_cache(maxsize=1)
def _words() -> tuple[re.Pattern[str], dict[str, str]]:
    codes = {word: code for code, words in MARKERS.items() for word in words.split()}
    return re.compile(trie_pattern(codes)), codes


def find_markers(text: str) -> list[Marker]:
    """Markers in ``text`` (Simplified script) in order of position."""
    pattern, codes = _words()
    found = [Marker(m.start(), m.end(), codes[m.group()]) for m in pattern.finditer(text)]
    found += [Marker(m.start(), m.end(), NUMBERS[m.group()]) for m in NUMBER.finditer(text)]
    particles = list(CANTONESE.finditer(text))
    if len({m.group() for m in particles}) >= MIN_CANTONESE:
        first = particles[0]
        found.append(Marker(first.start(), first.end(), HONG_KONG))
    return sorted(found, key=lambda marker: marker.start)
