"""Details that reports of one event share however differently they are worded.

Rewrites, excerpts and reposts of one story share few character n-grams (on real
pages, same-event pairs share 5-20% of their bigrams, as do different events of one
province and month), but they keep its particulars: the figures (260 名, 145 个,
55万宗), the words quoted (“不归我们管”), the village or housing estate (孔家村,
云溪雅院小区). Two such details are rarely shared by reports of different events.
"""

from __future__ import annotations

import re

from analysis.tags.script import plain

MAX_CLUES = 64
# Figures: three or more digits (with 万/亿), not a year, a hotline or a round number.
NUMBER = re.compile(r"(?<![0-9.,])[1-9][0-9,]*[0-9](?:\.[0-9]+)?(?:万|亿)?(?![0-9])")
YEAR = re.compile(r"(?:19|20)[0-9]{2}")
ROUND = re.compile(r"[1-9]0+(?:万|亿)?")
HOTLINE = re.compile(r"12[0-9]{3}|9[56][0-9]{3}|110|119|120|122|1823|1999|1922|1925")
QUOTED = re.compile(r"[“「『]([^”」』“「『]{4,40})[”」』]")
# The last two characters of a name before the suffix: 宝落村 and 平度市田庄镇宝落村 agree.
LOCALITY = re.compile(r"[\u4e00-\u9fff]{2}(?:小区|社区|街道|镇|村)(?![民里])")
# 走进社区, 的农村, 一位村民, 各乡镇: words around a generic locality, not a name.
GENERIC_LOCALITY = re.compile(r"[的在了到进是和与及等个各该本此这那全多入回向对一位]|农|乡|城镇")
LATIN_OR_DIGITS = re.compile(r"[0-9A-Za-z .:/@_-]+")


def clues(title: str, text: str) -> frozenset[str]:
    """Distinctive details of a report, each tagged with its kind (n: q: l:)."""
    body = plain(f"{title}\n{text}")
    found: dict[str, None] = {}  # ordered: the first MAX_CLUES are kept
    for match in NUMBER.finditer(body):
        figure = match.group().replace(",", "")
        digits = figure.rstrip("万亿").split(".")[0]
        if len(digits) < 3 or YEAR.fullmatch(figure) or ROUND.fullmatch(figure):
            continue
        if HOTLINE.fullmatch(figure):
            continue
        found[f"n:{figure}"] = None
    for match in QUOTED.finditer(body):
        words = match.group(1).strip()
        if not LATIN_OR_DIGITS.fullmatch(words):
            found[f"q:{words}"] = None
    for match in LOCALITY.finditer(body):
        if not GENERIC_LOCALITY.search(match.group()):
            found[f"l:{match.group()}"] = None
    return frozenset(list(found)[:MAX_CLUES])
