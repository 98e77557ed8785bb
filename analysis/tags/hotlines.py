"""National service hotlines, normalised to their numbers (市长热线 → 12345)."""

from __future__ import annotations

import re

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
}
# A number stands alone: no digit (or ASCII letter) directly before or after it.
_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])("
    + "|".join(NUMBERS)
    + r")(?![0-9A-Za-z])|("
    + "|".join(sorted(NAMES, key=len, reverse=True))
    + ")"
)


def hotlines(text: str) -> list[str]:
    """Hotline numbers mentioned, in order of first appearance, without repeats."""
    found: dict[str, None] = {}
    for number, name in _PATTERN.findall(text.translate(_FULL_WIDTH_DIGITS)):
        found.setdefault(number or NAMES[name], None)
    return list(found)


_FULL_WIDTH_DIGITS = {ord("０") + i: ord("0") + i for i in range(10)}
