"""Reputational damage: how much a page hurts the hotline's reputation if the public reads it.

A ridge regression trained on real pages whose damage people read (0 none, 1 mild,
2 clearly damaging, 3 severe) weighs the page's character n-grams, the relevance
rules' evidence (failure words, official response, praise, fiction ...), the failure
kinds the category rules see, and the relevance judgement. Its reading over 3 is the
document's ``negativity`` in [0, 1]; SnowNLP's ``sentiments`` (the writing's tone) is
kept beside it, unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from analysis.judgement import load_model

MODEL_NAME = "damage"
# Evidence enters at a tenth of the n-gram part's scale: at full scale it dominated the
# fit and ranked worse in grouped cross-validation on the dev pages (AUC 0.81 vs 0.83).
EVIDENCE_SCALE = 0.3


@dataclass(frozen=True)
class Damage:
    score: float
    cues: list[tuple[str, float]]  # what moved the score most: n-grams and evidence


def damage_evidence(
    evidence: Mapping[str, float], relevance: float, kinds: Mapping[str, float]
) -> dict[str, float]:
    """The damage model's named features: relevance evidence and judgement, failure kinds."""
    named = {**evidence, **kinds, "relevance": relevance}
    return {name: EVIDENCE_SCALE * value for name, value in named.items()}


def damage_score(counts: Counter[str], features: Mapping[str, float]) -> float:
    """The page's damage score (``negativity``), rounded as stored; no cues."""
    return round(load_model(MODEL_NAME).probability(counts, features), 4)


def assess_damage(counts: Counter[str], features: Mapping[str, float]) -> Damage:
    """The damage score of a page from its lead's n-grams and its ``damage_evidence``."""
    model = load_model(MODEL_NAME)
    score = model.probability(counts, features)
    named = [
        (name, round(model.features.get(name, 0.0) * value / model.scale, 3))
        for name, value in features.items()
        if value and model.features.get(name)
    ]
    terms = [(gram, round(w / model.scale, 3)) for gram, w in model.top_terms(counts)]
    cues = sorted([*terms, *named], key=lambda item: -abs(item[1]))[:8]
    return Damage(score=round(score, 4), cues=cues)
