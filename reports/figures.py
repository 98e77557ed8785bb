"""Charts as PNG images for the Word report, drawn with matplotlib (Agg) and a system CJK font.

Chinese labels need a CJK font: Debian's ``fonts-noto-cjk`` (Noto Sans CJK), or
WenQuanYi / Droid Sans Fallback. Without one the charts are still drawn, and a
warning says which package to install. No pyplot: each chart is its own
``Figure``, so nothing global is kept between charts.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from matplotlib.ticker import MaxNLocator

from reports.formatting import LEVEL_COLORS

logger = logging.getLogger(__name__)

FONT_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
)
BAND_COLORS = {"负面": "#c0392b", "中性": "#95a5a6", "正面": "#27ae60"}
VOLUME_COLOR = "#2e86c1"
COLLECTED_COLOR = "#aed6f1"
DPI = 150
WIDTH_IN = 6.3  # A4 text width with 2.5 cm margins, in inches


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font (registered with matplotlib), or None."""
    from matplotlib import font_manager

    found = {}
    for path in font_manager.findSystemFonts():
        name = path.rsplit("/", 1)[-1]
        if name in FONT_FILES:
            found[name] = path
    for name in FONT_FILES:
        if name in found:
            font_manager.fontManager.addfont(found[name])
            return font_manager.FontProperties(fname=found[name]).get_name()
    logger.warning(
        "no CJK font found: Chinese chart labels will not show "
        "(install fonts-noto-cjk or fonts-wqy-microhei)"
    )
    return None


def volume_chart(days: Sequence[tuple[str, int, int, int]], title: str) -> bytes:
    """Collected and relevant reports per day as bars, negative ones as a line."""
    labels = [d[0][5:] for d in days]
    figure, axes = _figure(title, height=2.8)
    positions = range(len(days))
    axes.bar([p - 0.2 for p in positions], [d[1] for d in days], width=0.4,
             color=COLLECTED_COLOR, label="收集报道")
    axes.bar([p + 0.2 for p in positions], [d[2] for d in days], width=0.4,
             color=VOLUME_COLOR, label="相关报道")
    axes.plot(list(positions), [d[3] for d in days], color=BAND_COLORS["负面"], marker="o",
              linewidth=1.5, markersize=3, label="负面报道")
    step = max(1, round(len(labels) / 10))
    axes.set_xticks(list(positions)[::step], labels[::step])
    axes.set_ylabel("篇")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    return _png(figure)


def bands_chart(bands: Sequence[tuple[str, int]], title: str) -> bytes:
    """负面 / 中性 / 正面 as horizontal bars with counts and shares."""
    total = sum(n for _, n in bands) or 1
    labels = [f"{band} {n} 篇（{n / total:.0%}）" for band, n in bands]
    return _ranked_bars(labels, [n for _, n in bands],
                        [BAND_COLORS.get(b, VOLUME_COLOR) for b, _ in bands], title)


def ranked_chart(pairs: Sequence[tuple[str, int]], title: str) -> bytes:
    """Labels with counts, largest first, as horizontal bars."""
    labels = [f"{label} {n}" for label, n in pairs]
    return _ranked_bars(labels, [n for _, n in pairs], [VOLUME_COLOR] * len(pairs), title)


def spread_chart(daily: Sequence[tuple[str, int]], title: str, level: str) -> bytes:
    """Reports per day of one incident."""
    figure, axes = _figure(title, height=2.4)
    positions = list(range(len(daily)))
    axes.bar(positions, [n for _, n in daily], color=LEVEL_COLORS.get(level, VOLUME_COLOR))
    step = max(1, round(len(daily) / 10))
    axes.set_xticks(positions[::step], [d[5:] for d, _ in daily][::step])
    axes.set_ylabel("篇")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def _ranked_bars(labels: list[str], values: list[int], colors: list[str], title: str) -> bytes:
    figure, axes = _figure(title, height=0.5 + 0.32 * max(len(values), 1))
    positions = list(range(len(values)))
    axes.barh(positions, values, color=colors)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def _figure(title: str, *, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    axes = figure.subplots()
    axes.set_title(title, fontsize=11, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _png(figure: Any) -> bytes:
    """The figure as PNG bytes, every text (ticks, legend, title) in the CJK font."""
    family = cjk_font()
    if family:
        for text in figure.findobj(lambda artist: hasattr(artist, "set_fontfamily")):
            text.set_fontfamily([family, "DejaVu Sans"])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
