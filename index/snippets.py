"""Snippets with highlighted query terms, computed from the stored text.

Highlights are character offsets into the snippet, never markup, so every
renderer (terminal, HTML, JSON) escapes the content itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.rules import normalize_text

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH = re.compile("[\uff01-\uff5e]")


def make_snippet(
    text: str, terms: Sequence[str], *, width: int = 120
) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first term found, and the term spans within it."""
    text = " ".join(text.split())
    folded = _fold(text)
    needles = [n for n in (normalize_text(t) for t in terms) if n.strip()]
    first = min((p for p in (folded.find(n) for n in needles) if p >= 0), default=0)
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    window, folded_window = text[start:end], folded[start:end]
    spans = _spans(folded_window, needles)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return prefix + window + suffix, [(a + shift, b + shift) for a, b in spans]


def _fold(text: str) -> str:
    # translate looks every character up; most texts have no full-width one to fold
    folded = (text.translate(_FOLD) if _FULLWIDTH.search(text) else text).lower()
    return folded if len(folded) == len(text) else text


def _spans(haystack: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for needle in needles:
        position = haystack.find(needle)
        while position >= 0:
            spans.append((position, position + len(needle)))
            position = haystack.find(needle, position + len(needle))
    return _merge(sorted(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
