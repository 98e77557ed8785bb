"""Human-readable output: aligned tables that count Chinese characters as two columns."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import click


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, width: int) -> str:
    """Cut text to ``width`` display columns, marking the cut with an ellipsis."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


def highlight(snippet: str, spans: Sequence[Sequence[int]], *, color: bool) -> str:
    """Mark highlighted spans in bold (terminal) or with 【】 (plain output)."""
    out, last = [], 0
    for start, end in spans:
        out.append(snippet[last:start])
        term = snippet[start:end]
        out.append(click.style(term, bold=True, fg="red") if color else f"【{term}】")
        last = end
    out.append(snippet[last:])
    return "".join(out)


def band_label(negativity: float) -> str:
    """``正面（0.16）``: the shared 负面/中性/正面 band, then the score."""
    from analysis.sentiment.bands import negativity_band

    return f"{negativity_band(negativity)}（{negativity:.2f}）"
