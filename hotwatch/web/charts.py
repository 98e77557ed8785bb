"""Bar charts as inline SVG geometry computed on the server (no script, no inline style).

The template draws ``<rect>``/``<polyline>`` from these numbers; the only text in
a chart is dates and counts, and Jinja escapes it like everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH = 960
HEIGHT = 220
TOP = 32  # room for the value above the tallest bar and a marker above that
BOTTOM = 24
LEFT = 4
MAX_BAR = 56
MARKER_Y = 12
MAX_DAYS = 90
HBAR_WIDTH = 320
HBAR_LABEL = 86
HBAR_ROW = 24
HBAR_ROOM = 96  # right of the longest bar: the count and share


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    marked: bool = False
    note: str = ""
    show_label: bool = True
    total: int | None = None  # a wider count drawn behind the bar (all vs relevant)
    total_y: float = 0.0
    total_height: float = 0.0

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    caption: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    line: str = ""  # polyline points for a 0..1 series (e.g. negative share)
    line_label: str = ""
    baseline: float = HEIGHT - BOTTOM
    maximum: int = 0
    marker_y: int = MARKER_Y
    legend: list[tuple[str, str]] = field(default_factory=list)
    totals_label: str = ""


@dataclass(frozen=True)
class HBar:
    """One row of a horizontal bar chart: label, value, share of all rows, bar width."""

    label: str
    value: int
    share: float
    width: float
    y: float
    tone: str = "default"  # a CSS class suffix: negative, neutral, positive, default
    href: str = ""


@dataclass(frozen=True)
class HBarChart:
    caption: str
    rows: list[HBar]
    width: int = HBAR_WIDTH
    label_width: int = HBAR_LABEL
    row_height: int = HBAR_ROW

    @property
    def height(self) -> int:
        return max(len(self.rows), 1) * self.row_height + 4

    @property
    def bar_x(self) -> int:
        return self.label_width


def bar_chart(
    caption: str,
    values: Sequence[tuple[str, int]],
    *,
    marked: Mapping[str, str] | None = None,
    shares: Sequence[float] | None = None,
    line_label: str = "",
    totals: Sequence[int] | None = None,
    totals_label: str = "",
) -> Chart:
    """Bars for ``(label, value)`` pairs; ``marked`` labels get a marker with a note.

    ``totals`` (one per bar) are drawn as a lighter bar behind each bar, on the same scale.
    """
    marked = marked or {}
    count = max(len(values), 1)
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * LEFT) / count
    gap = max(min(6.0, slot * 0.2), slot - MAX_BAR)
    if totals is not None and len(totals) != len(values):
        raise ValueError("one total per bar")
    maximum = max([v for _, v in values] + list(totals or []), default=0)
    every = max(1, round(count / 8))
    bars = []
    for i, (label, value) in enumerate(values):
        height = plot * value / maximum if maximum else 0.0
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(LEFT + i * slot + gap / 2, 1),
                y=round(TOP + plot - height, 1),
                width=round(slot - gap, 1),
                height=round(height, 1),
                marked=label in marked,
                note=marked.get(label, ""),
                show_label=(i % every == 0 or i == count - 1),
                total=totals[i] if totals is not None else None,
                total_y=round(TOP + plot - _height(plot, totals[i], maximum), 1)
                if totals is not None else 0.0,
                total_height=round(_height(plot, totals[i], maximum), 1)
                if totals is not None else 0.0,
            )
        )
    line = ""
    if shares is not None and len(shares) == len(bars):
        line = " ".join(
            f"{bar.center:.1f},{TOP + plot * (1 - min(max(share, 0.0), 1.0)):.1f}"
            for bar, share in zip(bars, shares, strict=True)
        )
    return Chart(caption, bars, line=line, line_label=line_label, maximum=maximum,
                 totals_label=totals_label if totals is not None else "")


def hbar_chart(
    caption: str,
    pairs: Sequence[tuple[str, int]],
    *,
    tones: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
) -> HBarChart:
    """Horizontal bars for ``(label, count)`` pairs in the given order."""
    tones = tones or {}
    links = links or {}
    total = sum(v for _, v in pairs)
    top = max((v for _, v in pairs), default=0)
    room = HBAR_WIDTH - HBAR_LABEL - HBAR_ROOM
    rows = [
        HBar(
            label=label,
            value=value,
            share=value / total if total else 0.0,
            width=round(room * value / top, 1) if top else 0.0,
            y=4 + i * HBAR_ROW,
            tone=tones.get(label, "default"),
            href=links.get(label, ""),
        )
        for i, (label, value) in enumerate(pairs)
    ]
    return HBarChart(caption, rows)


def _height(plot: float, value: int, maximum: int) -> float:
    return plot * value / maximum if maximum else 0.0


def daily_series(daily: Mapping[str, int], *, limit: int = MAX_DAYS) -> list[tuple[str, int]]:
    """Every day from the first to the last in ``daily`` (missing days as 0), at most ``limit``.

    Keys that are not ISO dates are kept in their own order after the dated ones.
    """
    dated: dict[date, int] = {}
    other: list[tuple[str, int]] = []
    for key, value in daily.items():
        try:
            day = date.fromisoformat(key[:10])
        except ValueError:
            other.append((key, int(value)))
            continue
        dated[day] = dated.get(day, 0) + int(value)
    if not dated:
        return other[-limit:]
    first, last = min(dated), max(dated)
    if (last - first).days >= limit:
        first = last - timedelta(days=limit - 1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day.isoformat(), dated.get(day, 0)) for day in days] + other
