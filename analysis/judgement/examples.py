"""One labelled page as a learner sees it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingExample:
    text: str  # model_text(title, text)
    evidence: Mapping[str, float]
    label: bool
    group: str  # event key: folds never split one event


@dataclass(frozen=True)
class ClassExample:
    text: str
    evidence: Mapping[str, float]
    label: str
    group: str


@dataclass(frozen=True)
class RegressionExample:
    text: str
    evidence: Mapping[str, float]
    value: float  # a read score, e.g. damage 0-3
    group: str
