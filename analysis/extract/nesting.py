"""Flatten markup nested deeper than a parser can hold, keeping every piece of text.

libxml2 stops at 2,048 levels even with ``huge_tree`` and drops the rest of the page;
broken pages with tens of thousands of unclosed or nested ``<div>``/``<font>`` tags exist.
Tags that would open below ``max_depth`` are removed (with their matching end tags),
so their content joins the element at the limit instead of being lost.
"""

from __future__ import annotations

import re

MAX_DEPTH = 256
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^<>]*?(/?)>")
#: Elements that never hold content, and raw-text elements whose content is not markup.
VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


def flatten_nesting(markup: str, max_depth: int = MAX_DEPTH) -> str:
    """``markup`` with every tag that would nest deeper than ``max_depth`` removed."""
    pieces: list[str] = []
    open_tags: list[str] = []
    dropped: dict[str, int] = {}
    position = 0
    for match in _TAG.finditer(markup):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        keep = True
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                keep = False
            elif name in open_tags:
                while open_tags.pop() != name:
                    pass
        elif name not in VOID_TAGS and not self_closing:
            if len(open_tags) >= max_depth:
                dropped[name] = dropped.get(name, 0) + 1
                keep = False
            else:
                open_tags.append(name)
        if not keep:
            pieces.append(markup[position : match.start()])
            position = match.end()
    pieces.append(markup[position:])
    return "".join(pieces)
