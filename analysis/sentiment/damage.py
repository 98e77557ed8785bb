"""Reputational damage: how much a page hurts the hotline's reputation if the public reads it.

A logistic model trained on real pages whose damage was read by a person (0-3,
"damaging" = 2 or more) weighs the page's character n-grams, the relevance rules'
evidence (failure kinds, official response, praise, fiction ...) and the relevance
judgement itself. Its probability is the document's ``negativity`` in [0, 1];
SnowNLP's ``sentiments`` (the writing's tone) is kept beside it, unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from analysis.judgement import load_model

MODEL_NAME = "damage"


@dataclass(frozen=True)
class Damage:
    score: float
    cues: list[tuple[str, float]]  # what moved the score most: n-grams and evidence


def damage_evidence(evidence: Mapping[str, float], relevance: float) -> dict[str, float]:
    """The damage model's named features: the relevance evidence and its judgement."""
    return {**evidence, "relevance": relevance}


def damage_score(counts: Counter[str], evidence: Mapping[str, float], relevance: float) -> float:
    """The page's damage probability (``negativity``), rounded as stored; no cues."""
    features = damage_evidence(evidence, relevance)
    return round(load_model(MODEL_NAME).probability(counts, features), 4)


def assess_damage(counts: Counter[str], evidence: Mapping[str, float], relevance: float) -> Damage:
    """The damage probability of a page from its lead's n-grams and its evidence."""
    model = load_model(MODEL_NAME)
    features = damage_evidence(evidence, relevance)
    score = model.probability(counts, features)
    named = [
        (name, round(model.features.get(name, 0.0) * value, 3))
        for name, value in features.items()
        if value and model.features.get(name)
    ]
    cues = sorted([*model.top_terms(counts), *named], key=lambda item: -abs(item[1]))[:8]
    return Damage(score=round(score, 4), cues=cues)
