"""The plain keyword rule hotwatch's relevance must beat: a hotline word AND a failure word."""

from __future__ import annotations

import re

HOTLINE = re.compile(r"12345|12315|12369|12319|12320|12333|12366|95598|热线|服务电话|投诉电话")
FAILURE = re.compile(
    r"打不通|无人接听|占线|推诿|踢皮球|辱骂|态度|敷衍|挂断|泄露|办结|未解决|没解决|不作为|"
    r"投诉无门|石沉大海|不了了之|形同虚设"
)


def keyword_rule(title: str, text: str) -> bool:
    document = f"{title}\n{text}"
    return bool(HOTLINE.search(document) and FAILURE.search(document))
