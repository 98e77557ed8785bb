"""Which failure a relevant page reports: the learned category first, the rule tags after.

The rules (``analysis/tags/categories.py``) find every failure a page mentions; the
model, trained on real pages whose failure was read by a person, decides which one
the page is about from the page's character n-grams (it may weigh the rule scores too;
the shipped model does not: they lowered its out-of-fold accuracy).
"""

from __future__ import annotations

from collections import Counter

from analysis.judgement.classes import load_class_model
from analysis.tags.categories import category_scores

MODEL_NAME = "category"


def category_evidence(title: str, text: str) -> dict[str, float]:
    """Each category's rule score, scaled to [0, 1] by the strongest, as model features."""
    return evidence_of_scores(category_scores(text, title=title))


def evidence_of_scores(scores: dict[str, int]) -> dict[str, float]:
    """:func:`category_evidence` from the page's ``category_scores``."""
    top = max(scores.values(), default=0)
    evidence = {f"rule:{name}": score / top for name, score in scores.items() if top and score}
    evidence["rule:none"] = 0.0 if top else 1.0
    return evidence


def ranked_categories(
    counts: Counter[str], kinds: dict[str, float], rule_categories: list[str]
) -> list[str]:
    """The model's category first, then the other categories the rules found.

    ``kinds`` is the page's :func:`category_evidence`.
    """
    best = load_class_model(MODEL_NAME).best(counts, kinds)
    return [best, *(c for c in rule_categories if c != best)]
