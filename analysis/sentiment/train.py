"""Train SnowNLP's sentiment classifier on labelled texts, save it, and measure it.

Training is ``snownlp.sentiment.Sentiment().train(neg_docs, pos_docs)`` itself: the
same ``Bayes`` counts, negatives first, so the classes iterate ``neg, pos``. The only
change is where ``Sentiment.handle`` (``seg.seg`` then ``normal.filter_stop``) gets its
words: from :meth:`SentimentModel.words_many`, which reproduces it exactly and
segments the whole corpus in a few numpy batches instead of text by text.

The model is saved like ``Bayes.save(fname, iszip=True)`` (gzip'd marshal of
``{"total", "d": {class: AddOneProb.__dict__}}``), with the gzip timestamp fixed at 0
so that the same data gives the same bytes.
"""

from __future__ import annotations

import gzip
import marshal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.sentiment.corpus import LabelledText
from analysis.sentiment.model import SentimentModel


@dataclass(frozen=True)
class Metrics:
    """Scores of a model on labelled texts; P(positive) >= 0.5 counts as positive."""

    n: int
    accuracy: float
    auc: float


def train_counts(rows: Sequence[LabelledText], segmenter: SentimentModel) -> dict[str, Any]:
    """The ``Bayes.save`` dict of a SnowNLP ``Sentiment`` trained on ``rows``."""
    from snownlp.sentiment import Sentiment  # imported late: it loads ~500 MB of models

    texts = [row.text for row in rows]
    handled = dict(zip(texts, segmenter.words_many(texts), strict=True))

    class PresegmentedSentiment(Sentiment):  # type: ignore[misc]
        def handle(self, doc: str) -> list[str]:
            return list(handled[doc])

    sentiment = PresegmentedSentiment()
    sentiment.train(
        [row.text for row in rows if not row.positive], [row.text for row in rows if row.positive]
    )
    bayes = sentiment.classifier
    return {"total": bayes.total, "d": {k: dict(v.__dict__) for k, v in bayes.d.items()}}


def write_model(counts: dict[str, Any], path: Path) -> int:
    """Save as SnowNLP's ``Bayes.save(iszip=True)`` would; returns the file size."""
    data = gzip.compress(marshal.dumps(counts), compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def evaluate(model: SentimentModel, rows: Sequence[LabelledText]) -> Metrics:
    scores = model.score_many([row.text for row in rows])
    labels = [row.positive for row in rows]
    correct = sum((score >= 0.5) is label for score, label in zip(scores, labels, strict=True))
    return Metrics(len(rows), correct / len(rows), roc_auc(scores, labels))


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve: P(a random positive outscores a random negative),
    ties counting one half (the Mann-Whitney statistic over average ranks)."""
    order = sorted(range(len(scores)), key=scores.__getitem__)
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        stop = start
        while stop + 1 < len(order) and scores[order[stop + 1]] == scores[order[start]]:
            stop += 1
        for i in order[start : stop + 1]:
            ranks[i] = (start + stop) / 2 + 1
        start = stop + 1
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        raise ValueError("ROC AUC needs both positive and negative examples")
    rank_sum = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
