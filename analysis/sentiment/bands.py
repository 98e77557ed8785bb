"""One place that turns a damage score into the label PR staff read: 负面 / 中性 / 正面.

Every surface (web page, digest, alerts, reports, ``--json``) calls these functions,
so one document carries the same band everywhere. The thresholds are chosen on the
dev split of the real-page evaluation set (``analysis/evaluation``), see README.
"""

from __future__ import annotations

from typing import Literal

Band = Literal["负面", "中性", "正面"]

# The two cuts whose three bands agree best (macro F1, out of fold) with the damage people
# read on the dev pages: 0 none -> 正面, 1 mild -> 中性, 2-3 damaging -> 负面
# (printed by scripts/train_judgement.py).
NEGATIVE_FROM = 0.41
"""Scores at or above this are 负面 (damaging: read damage 2-3)."""

POSITIVE_BELOW = 0.16
"""Scores below this are 正面 (no damage read: praise, fixes, explainers, notices)."""

BAND_KEYS: dict[Band, str] = {"负面": "negative", "中性": "neutral", "正面": "positive"}


def negativity_band(negativity: float) -> Band:
    """The band of a damage score in [0, 1]."""
    if negativity >= NEGATIVE_FROM:
        return "负面"
    if negativity < POSITIVE_BELOW:
        return "正面"
    return "中性"


def band_key(negativity: float) -> str:
    """The band as an ASCII key for JSON and CSS: negative, neutral or positive."""
    return BAND_KEYS[negativity_band(negativity)]
