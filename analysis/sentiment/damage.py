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
from analysis.tags.script import simplified

MODEL_NAME = "damage"
# A page that records a fix (two or more fix cues) and names no failure is a closing
# notice: PR staff read it as no damage, so its score is halved. Few real pages are such
# notices (1 of the 543 dev pages; out-of-fold AUC 0.827 -> 0.826), written ones are.
FIX_CUES = re.compile(
    r"已恢复|已修复|已解决|恢复正常|表示满意|已整改|整改到位|已办结|已处理完毕|已更换|已修好"
)
FIX_DISCOUNT = 0.5
# What makes a failure report severe (read 3) rather than damaging (2): insults, a leak
# that endangers the whistleblower, punished officials, an apology, a story gone viral.
# As features they lift the out-of-fold AUC of 3 vs <= 2 among relevant dev pages from
# 0.69 to 0.72 and leave the AUC of damaging vs not unchanged (0.84).
SEVERITY_CUES = {
    "severity:insult": re.compile(r"辱骂|骂人|脏话|神经病|不要脸|爆粗|怼|傻|滚|恶语|侮辱"),
    "severity:leak": re.compile(r"泄露|泄密|透露给|告知被举报|找上门|报复|被打"),
    "severity:punished": re.compile(r"停职|免职|辞退|处分|问责|追责|约谈|诫勉|开除|立案调查"),
    "severity:apology": re.compile(r"道歉|致歉"),
    "severity:viral": re.compile(r"热搜|引发热议|刷屏|网友愤怒|引发关注|舆论|发酵|曝光|录音"),
}
SEVERITY_CHARS, SEVERITY_CAP = 3000, 3
# Evidence enters at a tenth of the n-gram part's scale: at full scale it dominated the
# fit and ranked worse in grouped cross-validation on the dev pages (AUC 0.81 vs 0.83).
EVIDENCE_SCALE = 0.3


@dataclass(frozen=True)
class Damage:
    score: float
    cues: list[tuple[str, float]]  # what moved the score most: n-grams and evidence


def damage_evidence(
    evidence: Mapping[str, float],
    relevance: float,
    kinds: Mapping[str, float],
    severity: Mapping[str, float],
) -> dict[str, float]:
    """The damage model's named features: relevance evidence and judgement, failure kinds,
    severity cues (:func:`severity_evidence`)."""
    named = {**evidence, **kinds, **severity, "relevance": relevance}
    return {name: EVIDENCE_SCALE * value for name, value in named.items()}


def severity_evidence(title: str, text: str) -> dict[str, float]:
    """How often each severity cue occurs in the page's beginning, capped, in [0, 1]."""
    document = simplified(f"{title}\n{text}"[:SEVERITY_CHARS])
    found = {name: len(cue.findall(document)) for name, cue in SEVERITY_CUES.items()}
    return {name: min(hits, SEVERITY_CAP) / SEVERITY_CAP for name, hits in found.items() if hits}


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
