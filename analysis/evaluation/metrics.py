"""Quality metrics over plain lists: no analysis, no I/O, easy to check by hand."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def precision_recall_f1(gold: Sequence[bool], predicted: Sequence[bool]) -> PRF:
    """Precision, recall and F1 of the positive class (0.0 where undefined)."""
    _same_length(gold, predicted)
    true_positives = sum(g and p for g, p in zip(gold, predicted, strict=True))
    return _prf(true_positives, sum(predicted), sum(gold))


def accuracy(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of positions where the prediction equals the label (0.0 for no positions)."""
    _same_length(gold, predicted)
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def same_group_pairs(groups: Sequence[Hashable | None]) -> set[tuple[int, int]]:
    """Index pairs (i < j) put in one group; ``None`` is a group of its own."""
    members: dict[Hashable, list[int]] = {}
    for i, group in enumerate(groups):
        if group is not None:
            members.setdefault(group, []).append(i)
    return {pair for indices in members.values() for pair in combinations(indices, 2)}


def pairwise_prf(gold: Sequence[Hashable | None], predicted: Sequence[Hashable | None]) -> PRF:
    """Clustering quality over document pairs: is each same-group pair found, and right?"""
    _same_length(gold, predicted)
    gold_pairs, predicted_pairs = same_group_pairs(gold), same_group_pairs(predicted)
    return _prf(len(gold_pairs & predicted_pairs), len(predicted_pairs), len(gold_pairs))


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Chance that a random positive outscores a random negative (ties count half).

    None when either class is missing, since the area is then undefined.
    """
    _same_length(labels, scores)
    positives = [s for s, label in zip(scores, labels, strict=True) if label]
    negatives = [s for s, label in zip(scores, labels, strict=True) if not label]
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def f1_at_prevalence(gold: Sequence[bool], predicted: Sequence[bool], prevalence: float) -> float:
    """The F1 the same decisions would reach where ``prevalence`` of the pages are positive.

    Recall and the false-positive rate stay; precision follows the share of positives
    (at the same ranking a rarer class costs precision).
    """
    _same_length(gold, predicted)
    positives = sum(gold)
    negatives = len(gold) - positives
    hits = sum(g and p for g, p in zip(gold, predicted, strict=True))
    if not hits:
        return 0.0
    if not negatives:  # no false-positive rate to carry over
        return _prf(hits, sum(predicted), positives).f1
    recall = hits / positives
    false_rate = sum(p and not g for g, p in zip(gold, predicted, strict=True)) / negatives
    found = recall * prevalence
    precision = found / (found + false_rate * (1 - prevalence))
    return 2 * precision * recall / (precision + recall)


def _prf(true_positives: int, predicted: int, actual: int) -> PRF:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1)


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} labels, {len(b)} predictions")
