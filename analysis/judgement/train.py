"""Fit the judgement models on labelled pages (needs scikit-learn: the ``train`` extra).

Only the pages given are read; callers pass the dev split, never the test split.
Regularisation and the decision threshold are chosen by cross-validation inside
those pages, so no held-out figure steers a choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.judgement.classes import ClassTextModel
from analysis.judgement.examples import ClassExample, RegressionExample, TrainingExample
from analysis.judgement.linear import LinearTextModel
from analysis.judgement.ngrams import NGRAM_SIZES, ngram_counts

C_GRID = (0.5, 2.0, 8.0, 32.0)
FOLDS = 5
PLATEAU = 0.01  # how far below the best smoothed metric still counts as its plateau
KEEP_TERMS = 40_000  # largest |weight| n-grams shipped; the rest weigh ~0
CLASS_TERMS = 12_000
MIN_DF = 2  # pages an n-gram must occur in to be learned
# The category model learns only n-grams of at least this many pages: rarer ones name
# one event's places and people. With whole labeller files held out
# (scripts/heldout_groups.py) accuracy on the 442 real relevant dev pages rose
# 0.636 -> 0.670 / 0.686 / 0.670 at 5 / 10 / 20 (event-grouped folds 0.658 -> 0.681 at 10);
# relevance stayed within its noise (AUC 0.863-0.873) at 5, 10 or 20 and keeps MIN_DF.
CLASS_MIN_DF = 10


@dataclass(frozen=True)
class FitReport:
    model: LinearTextModel
    cv_predictions: list[float]  # out-of-fold probabilities, in example order
    c: float


def fit_model(
    name: str,
    examples: Sequence[TrainingExample],
    *,
    threshold_metric: Callable[[list[bool], list[float], float], float],
) -> FitReport:
    """Choose C by grouped cross-validated log-loss, the threshold by ``threshold_metric``."""
    from sklearn.metrics import log_loss

    labels = np.array([e.label for e in examples])
    best: tuple[float, float, np.ndarray] | None = None
    for c in C_GRID:
        oof = _out_of_fold(examples, labels, c)
        loss = log_loss(labels, np.clip(oof, 1e-6, 1 - 1e-6))
        if best is None or loss < best[0]:
            best = (loss, c, oof)
    assert best is not None
    _, c, oof = best
    threshold = _best_threshold([bool(x) for x in labels], list(oof), threshold_metric)
    model = _fit(name, examples, labels, c, threshold)
    return FitReport(model=model, cv_predictions=[float(x) for x in oof], c=c)


def _out_of_fold(examples: Sequence[TrainingExample], labels: np.ndarray, c: float) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    oof = np.zeros(len(examples))
    for train, test in GroupKFold(n_splits=FOLDS).split(examples, labels, groups):
        model = _fit("fold", [examples[i] for i in train], labels[train], c, 0.5)
        for i in test:
            oof[i] = model.probability(ngram_counts(examples[i].text), examples[i].evidence)
    return oof


def _fit(
    name: str,
    examples: Sequence[TrainingExample],
    labels: np.ndarray,
    c: float,
    threshold: float,
) -> LinearTextModel:
    from sklearn.linear_model import LogisticRegression

    design = _design(examples)
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    classifier.fit(design.matrix, labels)
    return _linear_model(
        name,
        design,
        classifier.coef_[0],
        classifier.intercept_[0],
        threshold=round(threshold, 4),
        meta={"examples": len(examples), "positives": int(labels.sum()), "C": c},
    )


def _best_threshold(
    labels: list[bool],
    scores: list[float],
    metric: Callable[[list[bool], list[float], float], float],
) -> float:
    candidates = sorted(set(round(s, 3) for s in scores))
    return max(candidates, key=lambda t: (metric(labels, scores, t), -abs(t - 0.5)))


def steady_threshold(
    labels: list[bool],
    scores: list[float],
    metric: Callable[[list[bool], list[float], float], float],
    *,
    width: float = 0.04,
) -> float:
    """The highest threshold on the plateau of the metric averaged over +-``width``.

    Out-of-fold F1 is flat and noisy near its peak and the single best point often sits
    at the plateau's low edge; the plateau's high end (within ``PLATEAU`` of the best
    average) keeps the F1 and spares PR staff false alarms, and holds better where
    relevant pages are rarer than on the dev split.
    """
    grid = [round(t / 100, 2) for t in range(2, 99)]
    at = {t: metric(labels, scores, t) for t in grid}
    steps = round(width * 100)

    def neighbourhood(i: int) -> float:
        window = grid[max(0, i - steps) : i + steps + 1]
        return sum(at[t] for t in window) / len(window)

    smoothed = [neighbourhood(i) for i in range(len(grid))]
    best = max(smoothed)
    return max(t for t, s in zip(grid, smoothed, strict=True) if s >= best - PLATEAU)


def f1_at(labels: list[bool], scores: list[float], threshold: float) -> float:
    predicted = [s >= threshold for s in scores]
    tp = sum(p and g for p, g in zip(predicted, labels, strict=True))
    if tp == 0:
        return 0.0
    precision, recall = tp / sum(predicted), tp / sum(labels)
    return 2 * precision * recall / (precision + recall)


def fit_classes(
    name: str, examples: Sequence[ClassExample], *, scored: int | None = None
) -> tuple[ClassTextModel, float]:
    """Multinomial model; C chosen by grouped cross-validated accuracy. Returns (model, CV acc).

    Only the first ``scored`` examples (all by default) count in the accuracy: the rest
    (pages written for tests) are learned from but say little about pages from the web.
    """
    counted = len(examples) if scored is None else scored
    best: tuple[float, float] | None = None
    for c in C_GRID:
        predicted = class_cv_predictions(examples, c)[:counted]
        hits = sum(p == e.label for p, e in zip(predicted, examples[:counted], strict=True))
        accuracy = hits / counted
        if best is None or accuracy > best[0]:
            best = (accuracy, c)
    assert best is not None
    accuracy, c = best
    return _fit_classes(name, examples, c), accuracy


def class_cv_predictions(examples: Sequence[ClassExample], c: float) -> list[str]:
    """Each example's class from a model fitted on the other folds (grouped by ``group``)."""
    from sklearn.model_selection import GroupKFold

    labels = [e.label for e in examples]
    predicted = [""] * len(examples)
    for train, test in GroupKFold(n_splits=FOLDS).split(
        examples, labels, [e.group for e in examples]
    ):
        model = _fit_classes("fold", [examples[i] for i in train], c)
        for i in test:
            predicted[i] = model.best(ngram_counts(examples[i].text), examples[i].evidence)
    return predicted


def _fit_classes(name: str, examples: Sequence[ClassExample], c: float) -> ClassTextModel:
    from sklearn.linear_model import LogisticRegression

    design = _design(examples, min_df=CLASS_MIN_DF)
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    classifier.fit(design.matrix, [e.label for e in examples])
    classes = [str(x) for x in classifier.classes_]
    coef = classifier.coef_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]])
    vectorizer, names = design.vectorizer, design.names
    n_terms = len(vectorizer.vocabulary_)
    ordered = _kept_terms(vectorizer.vocabulary_, np.abs(coef[:, :n_terms]).max(axis=0),
                          CLASS_TERMS)
    intercepts = classifier.intercept_
    if len(classes) == 2:
        intercepts = np.array([-intercepts[0], intercepts[0]])
    return ClassTextModel(
        name=name,
        classes=classes,
        vocabulary={gram: k for k, (_, gram) in enumerate(ordered)},
        idf=[round(float(vectorizer.idf_[i]), 6) for i, _ in ordered],
        weights=[[round(float(w), 5) for w in coef[:, i]] for i, _ in ordered],
        features={
            n: [round(float(w), 5) for w in coef[:, n_terms + k]] for k, n in enumerate(names)
        },
        intercepts=[float(b) for b in intercepts],
        meta={"examples": len(examples), "C": c},
    )


def _vectorizer(min_df: int):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(min(NGRAM_SIZES), max(NGRAM_SIZES)),
        sublinear_tf=True,
        min_df=min_df,
        lowercase=False,
    )


@dataclass(frozen=True)
class RegressionReport:
    model: LinearTextModel
    cv_predictions: list[float]  # out-of-fold scores in [0, 1], in example order
    c: float


def fit_regression(
    name: str, examples: Sequence[RegressionExample], scale: float
) -> RegressionReport:
    """Ridge regression on the read values; C (1/alpha) chosen by grouped CV squared error."""
    from sklearn.model_selection import GroupKFold

    values = np.array([e.value for e in examples])
    best: tuple[float, float, np.ndarray] | None = None
    for c in C_GRID:
        oof = np.zeros(len(examples))
        for train, test in GroupKFold(n_splits=FOLDS).split(
            examples, values, [e.group for e in examples]
        ):
            model = _fit_ridge("fold", [examples[i] for i in train], c, scale)
            for i in test:
                oof[i] = model.logit(ngram_counts(examples[i].text), examples[i].evidence)
        error = float(np.mean((oof - values) ** 2))
        if best is None or error < best[0]:
            best = (error, c, oof)
    assert best is not None
    _, c, oof = best
    scores = [min(1.0, max(0.0, float(v) / scale)) for v in oof]
    return RegressionReport(_fit_ridge(name, examples, c, scale), scores, c)


def _fit_ridge(
    name: str, examples: Sequence[RegressionExample], c: float, scale: float
) -> LinearTextModel:
    from sklearn.linear_model import Ridge

    design = _design(examples)
    regression = Ridge(alpha=1.0 / c).fit(design.matrix, [e.value for e in examples])
    return _linear_model(
        name,
        design,
        regression.coef_,
        regression.intercept_,
        threshold=0.5,
        meta={"examples": len(examples), "C": c},
        link="linear",
        scale=scale,
    )


@dataclass(frozen=True)
class _Design:
    """What every model here is fitted on: TF-IDF character n-grams, then the evidence."""

    vectorizer: Any  # the fitted TfidfVectorizer
    matrix: Any  # scipy CSR matrix, one row per example
    names: list[str]  # the evidence features, in column order after the n-grams


def _design(
    examples: Sequence[TrainingExample | ClassExample | RegressionExample], *, min_df: int = MIN_DF
) -> _Design:
    from scipy.sparse import csr_matrix, hstack

    vectorizer = _vectorizer(min_df)
    grams = vectorizer.fit_transform([e.text for e in examples])
    names = sorted({key for e in examples for key in e.evidence})
    extra = csr_matrix(np.array([[e.evidence.get(n, 0.0) for n in names] for e in examples]))
    return _Design(vectorizer, hstack([grams, extra]).tocsr(), names)


def _kept_terms(
    vocabulary: dict[str, int], strength: np.ndarray, keep: int
) -> list[tuple[int, str]]:
    """(column, n-gram) of the ``keep`` strongest n-grams, in column order."""
    chosen = set(np.argsort(-strength)[:keep].tolist())
    return sorted((index, gram) for gram, index in vocabulary.items() if index in chosen)


def _linear_model(
    name: str, design: _Design, coef: np.ndarray, intercept: float, **options: Any
) -> LinearTextModel:
    """One weight row (n-grams, then evidence) as a shipped model of the kept n-grams."""
    vectorizer = design.vectorizer
    vocabulary = vectorizer.vocabulary_
    gram_weights = coef[: len(vocabulary)]
    ordered = _kept_terms(vocabulary, np.abs(gram_weights), KEEP_TERMS)
    return LinearTextModel(
        name=name,
        vocabulary={gram: i for i, (_, gram) in enumerate(ordered)},
        idf=[round(float(vectorizer.idf_[index]), 6) for index, _ in ordered],
        weights=[round(float(gram_weights[index]), 6) for index, _ in ordered],
        features={
            n: round(float(w), 6)
            for n, w in zip(design.names, coef[len(vocabulary) :], strict=True)
        },
        intercept=float(intercept),
        **options,
    )
