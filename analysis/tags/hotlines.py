"""National service hotlines, normalised to their numbers (市长热线 → 12345)."""

from __future__ import annotations

import re

from analysis.tags.lexicon import trie_pattern
from analysis.tags.script import simplified

NUMBERS = (
    "12345",
    "12315",
    "12369",
    "12319",
    "12320",
    "12333",
    "95598",
    "12306",
    "12328",
    "12358",
    "12366",
    "12380",
    "12388",
    "12348",
    "12337",
    "12356",
    "12110",
    "12318",
    "12322",
    "12338",
    "12365",
    "12386",
    "12395",
    "12310",
    "12313",
    "12316",
    "12317",
    "12326",
    "12329",
    "12339",
    "12350",
    "12351",
    "12355",
    "12361",
    "12368",
    "12377",
    "12390",
    "12391",
    "12393",
    "96166",
)
NAMES = {
    "市长热线": "12345",
    "市民热线": "12345",
    "市长公开电话": "12345",
    "政务服务便民热线": "12345",
    "政务服务热线": "12345",
    "便民服务热线": "12345",
    "政府服务热线": "12345",
    "消费者投诉热线": "12315",
    "消费投诉热线": "12315",
    "市场监管热线": "12315",
    "环保热线": "12369",
    "环保举报热线": "12369",
    "城建热线": "12319",
    "卫生热线": "12320",
    "人社热线": "12333",
    "社保热线": "12333",
    "供电服务热线": "95598",
    "电力服务热线": "95598",
    "纳税服务热线": "12366",
    "交通运输服务监督电话": "12328",
    "价格举报电话": "12358",
    "医保热线": "12393",
    "信访举报电话": "12388",
    "纪检监察举报电话": "12388",
    "12345热线": "12345",
    "国家电网客服热线": "95598",
    "铁路客服热线": "12306",
    "劳动保障热线": "12333",
    "卫生健康热线": "12320",
    "法律援助热线": "12348",
    "短信报警": "12110",
}
# A number stands alone: its token has no other digit or letter, no dash- or dot-joined
# digits around it (0373-12345, 1.12345), and no unit after it (12345元).
_TOKEN = re.compile(r"[0-9A-Za-z]+")
_JOINED_BEFORE = re.compile(r"\d[-.]$")
_AFTER = re.compile(r"[-.]\d|[元万亿%‰吨米克]")
_NAME = re.compile(trie_pattern(NAMES))
# "12345" is also the commonest weak password: not a hotline in a text about passwords.
_PASSWORD = re.compile(r"密码|口令|password", re.IGNORECASE)
PASSWORD_WINDOW = 30
# 110 is too short to trust alone (110kV, 110路): only as the police line someone calls.
_POLICE = re.compile(
    r"(?:拨打|打了?|报警|致电|求助|电话|报了?)[\u201c\u201d\"“”]?(110)(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z.])(110)(?=报警|接警|指挥中心|民警|出警|联动|平台|热线)"
)


def hotlines(text: str) -> list[str]:
    """Hotline numbers mentioned, in order of first appearance, without repeats."""
    text = simplified(text)
    if _FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH_DIGITS)
    found = [(m.start(), m.group()) for m in _TOKEN.finditer(text) if _standalone(m, text)]
    found += [(m.start(), NAMES[m.group()]) for m in _NAME.finditer(text)]
    if "110" in text:
        found += [(m.start(), "110") for m in _POLICE.finditer(text)]
    return list(dict.fromkeys(number for _, number in sorted(found)))


def _standalone(match: re.Match[str], text: str) -> bool:
    if match.group() not in _KNOWN:
        return False
    start, end = match.span()
    if _JOINED_BEFORE.search(text, max(0, start - 2), start) or _AFTER.match(text, end):
        return False
    around = text[max(0, start - PASSWORD_WINDOW) : end + PASSWORD_WINDOW]
    return not _PASSWORD.search(around)


_KNOWN = frozenset(NUMBERS)
_FULL_WIDTH = re.compile("[０-９]")
_FULL_WIDTH_DIGITS = {ord("０") + i: ord("0") + i for i in range(10)}
