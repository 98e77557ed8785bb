"""Bar charts as HTML tables with inline styles, and as text bars.

Mail clients drop scripts, external images and most CSS, but they all draw
tables with ``width`` and ``bgcolor``: each bar is a one-cell table whose width
is the value's share of the largest value. Nothing is loaded from anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_WIDTH_PX = 140
BAR_HEIGHT_PX = 12
TRACK_COLOR = "#eef1f4"
TEXT_BAR_WIDTH = 20


@dataclass(frozen=True)
class Bar:
    """One bar: ``fraction`` of the full width (0..1), its colour and its printed value."""

    fraction: float
    color: str
    text: str


@dataclass(frozen=True)
class ChartRow:
    """A labelled row of bars; ``extra`` is trusted HTML for a last cell (e.g. a link)."""

    label: str
    bars: Sequence[Bar]
    extra: str = ""


def bar_html(bar: Bar, *, width_px: int = BAR_WIDTH_PX) -> str:
    """A bar drawn with nested tables so that Outlook and webmail agree on its length."""
    fraction = min(max(bar.fraction, 0.0), 1.0)
    filled = round(width_px * fraction)
    inner = (
        f'<td width="{filled}" height="{BAR_HEIGHT_PX}" bgcolor="{bar.color}" '
        f'style="width:{filled}px;height:{BAR_HEIGHT_PX}px;background:{bar.color};'
        'font-size:1px;line-height:1px;padding:0">&nbsp;</td>'
        if filled
        else ""
    )
    rest = width_px - filled
    track = (
        f'<td width="{rest}" bgcolor="{TRACK_COLOR}" style="width:{rest}px;'
        f'background:{TRACK_COLOR};font-size:1px;line-height:1px;padding:0">&nbsp;</td>'
        if rest
        else ""
    )
    label = (
        f'<td style="padding:0 0 0 6px;font-size:12px;color:#333;white-space:nowrap">'
        f"{escape(bar.text)}</td>"
    )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse"><tr>{inner}{track}{label}</tr></table>'
    )


def chart_html(caption: str, headers: Sequence[str], rows: Sequence[ChartRow]) -> str:
    """A chart table: caption, header row, then one row per label."""
    head = "".join(
        f'<th align="left" style="padding:4px 8px;font-size:12px;color:#666;'
        f'font-weight:normal;border-bottom:1px solid #dde">{escape(h)}</th>'
        for h in headers
    )
    body = []
    for row in rows:
        cells = [f'<td style="padding:3px 8px;font-size:12px;white-space:nowrap">'
                 f"{escape(row.label)}</td>"]
        cells += [f'<td style="padding:3px 8px;white-space:nowrap">{bar_html(b)}</td>'
                  for b in row.bars]
        if len(headers) > len(row.bars) + 1:
            cells.append(f'<td style="padding:3px 8px;font-size:12px">{row.extra}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        'style="border-collapse:collapse;width:100%">'
        f'<caption align="top" style="text-align:left;font-weight:bold;padding:4px 0 8px;'
        f'font-size:14px">{escape(caption)}</caption>'
        f"<tr>{head}</tr>{''.join(body)}</table>"
    )


def text_bar(fraction: float, *, width: int = TEXT_BAR_WIDTH) -> str:
    """A bar of full blocks for the plain-text part."""
    fraction = min(max(fraction, 0.0), 1.0)
    blocks = round(width * fraction)
    return "█" * blocks + "·" * (width - blocks)


def fractions(values: Sequence[float]) -> list[float]:
    """Each value as a share of the largest (all zero when every value is zero)."""
    top = max(values, default=0)
    return [v / top if top else 0.0 for v in values]
