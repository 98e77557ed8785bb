"""Reputational damage: how much a page hurts the hotline's reputation if the public reads it.

A ridge regression trained on real pages whose damage people read (0 none, 1 mild,
2 clearly damaging, 3 severe) weighs the page's character n-grams, the relevance
rules' evidence (failure words, official response, praise, fiction ...), the failure
kinds the category rules see, and the relevance judgement. Its reading over 3 is the
document's ``negativity`` in [0, 1]; SnowNLP's ``sentiments`` (the writing's tone) is
kept beside it, unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from analysis.judgement import load_model

MODEL_NAME = "damage"
# A page that records a fix (two or more fix cues) and names no failure is a closing
# notice: PR staff read it as no damage, so its score is halved. Few real pages are such
# notices (1 of the 543 dev pages; out-of-fold AUC 0.827 -> 0.826), written ones are.
FIX_CUES = re.compile(
    r"已恢复|已修复|已解决|恢复正常|表示满意|已整改|整改到位|已办结|已处理完毕|已更换|已修好"
)
FIX_DISCOUNT = 0.5
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


def damage_score(counts: Counter[str], features: Mapping[str, float], *, fixed: bool) -> float:
    """The page's damage score (``negativity``), rounded as stored; no cues.

    ``fixed``: the page is a closing notice (:func:`records_a_fix`).
    """
    score = load_model(MODEL_NAME).probability(counts, features)
    return round(score * FIX_DISCOUNT if fixed else score, 4)


def records_a_fix(title: str, text: str, failures: list[str]) -> bool:
    """Two or more fix cues and no failure the category rules can name."""
    return not failures and len(FIX_CUES.findall(f"{title}\n{text}")) >= 2


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
