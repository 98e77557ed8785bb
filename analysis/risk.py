"""Risk levels for incidents: 红 red > 橙 orange > 黄 yellow > 蓝 blue, each with its reasons.

Points come from how negative the coverage is, how much and how fast it spreads,
how authoritative its outlets are, and sensitive terms; the level is read off
fixed thresholds so a reader can check the arithmetic in the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("blue", "yellow", "orange", "red")
LEVEL_NAMES = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}
LEVEL_THRESHOLDS = (("red", 9), ("orange", 6), ("yellow", 3))
SENSITIVE_TERMS = (
    "辱骂",
    "不要脸",
    "神经病",
    "泄露",
    "打击报复",
    "报复",
    "威胁",
    "殴打",
    "停职",
    "免职",
    "处分",
    "致歉",
    "道歉",
    "通报",
    "约谈",
    "央视",
    "人民日报",
    "新华社",
    "热搜",
)
TIER_NAMES = {1: "central media", 2: "provincial media", 3: "portal", 4: "self-media"}


@dataclass(frozen=True)
class RiskSignals:
    documents: int
    sources: int
    negativity: float
    documents_last_24h: int = 0
    best_tier: int | None = None
    sensitive_terms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    reach: int = 0


@dataclass(frozen=True)
class RiskAssessment:
    level: str
    score: int
    reasons: list[str] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


def assess_risk(signals: RiskSignals) -> RiskAssessment:
    """The level of an incident and the reasons that add up to it."""
    points: list[tuple[int, str]] = [
        _volume(signals.documents, signals.sources),
        _velocity(signals.documents_last_24h),
        _negativity(signals.negativity),
        _authority(signals.best_tier),
        _sensitivity(signals.sensitive_terms),
        _severity(signals.categories),
        _reach(signals.reach),
    ]
    score = sum(p for p, _ in points)
    level = next((name for name, threshold in LEVEL_THRESHOLDS if score >= threshold), "blue")
    reasons = [f"{reason} (+{p})" for p, reason in points if p > 0]
    return RiskAssessment(level=level, score=score, reasons=reasons)


def sensitive_terms_in(text: str) -> tuple[str, ...]:
    return tuple(term for term in SENSITIVE_TERMS if term in text)


def _volume(documents: int, sources: int) -> tuple[int, str]:
    points = 3 if sources >= 10 else 2 if sources >= 4 else 1 if sources >= 2 else 0
    return points, f"{documents} reports from {sources} sources"


def _velocity(last_24h: int) -> tuple[int, str]:
    points = 2 if last_24h >= 10 else 1 if last_24h >= 3 else 0
    return points, f"{last_24h} reports in the last 24 hours"


def _negativity(negativity: float) -> tuple[int, str]:
    points = 2 if negativity >= 0.75 else 1 if negativity >= 0.6 else 0
    return points, f"mean negativity {negativity:.2f}"


def _authority(best_tier: int | None) -> tuple[int, str]:
    if best_tier is None:
        return 0, ""
    points = {1: 3, 2: 2, 3: 1}.get(best_tier, 0)
    return points, f"covered by {TIER_NAMES.get(best_tier, f'tier {best_tier}')}"


def _sensitivity(terms: tuple[str, ...]) -> tuple[int, str]:
    points = min(2, len(terms))
    return points, "sensitive terms: " + "、".join(terms[:5])


def _severity(categories: tuple[str, ...]) -> tuple[int, str]:
    serious = [c for c in categories if c in ("privacy_leak", "rudeness", "fake_closure")]
    return (1 if serious else 0), "failure type: " + ", ".join(serious)


def _reach(reach: int) -> tuple[int, str]:
    """Reposts, comments and likes: a thousand is a local stir, 100k a trending topic."""
    points = 3 if reach >= 100_000 else 2 if reach >= 10_000 else 1 if reach >= 1_000 else 0
    return points, f"social reach {reach} (reposts + comments + likes)"
