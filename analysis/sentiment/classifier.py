"""SnowNLP's two-class naive Bayes (``classification/bayes.py``) over precomputed logs.

A model is what ``Bayes.save`` writes: ``{"total": N, "d": {class: AddOneProb.__dict__}}``
(gzip-compressed marshal). Per word and class this keeps ``log(count / class total)``,
with the add-one ``none`` count for a word the class never saw, computed with the same
Python float operations as SnowNLP so the sums below reproduce ``Bayes.classify``
bit for bit. The segmentation in front of it is shared by every model
(:class:`analysis.sentiment.model.SentimentModel`); only these numbers differ.
"""

from __future__ import annotations

import gzip
import marshal
import math
import os
from collections.abc import Sequence
from itertools import repeat
from math import log
from pathlib import Path
from typing import Any

import numpy as np


class BayesClassifier:
    """``Sentiment.classify`` after segmentation: words -> probability of positive."""

    def __init__(
        self,
        classes: Sequence[str],
        base: Sequence[float],
        unseen: Sequence[float],
        logfreq: dict[str, tuple[float, ...]],
    ) -> None:
        self.classes = [str(c) for c in classes]
        self._base = [float(v) for v in base]
        self._unseen = tuple(float(v) for v in unseen)
        self._logfreq = logfreq
        self._pos = self.classes.index("pos") if "pos" in self.classes else -1

    @classmethod
    def from_counts(cls, model: dict[str, Any]) -> BayesClassifier:
        """From a ``Bayes.save`` dict (classes in the dict's order, as SnowNLP iterates)."""
        classes = list(model["d"])
        probs = [model["d"][k] for k in classes]
        words = dict.fromkeys(w for p in probs for w in p["d"])
        logfreq = {
            w: tuple(log(float(p["d"].get(w, p["none"])) / p["total"]) for p in probs)
            for w in words
        }
        return cls(
            classes,
            [log(p["total"]) - log(model["total"]) for p in probs],
            [log(float(p["none"]) / p["total"]) for p in probs],
            logfreq,
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> BayesClassifier:
        """From a model file as ``Bayes.save`` writes it (gzip'd marshal, or plain)."""
        return cls.from_counts(read_marshal(Path(path)))

    @classmethod
    def from_arrays(
        cls,
        classes: np.ndarray,
        base: np.ndarray,
        unseen: np.ndarray,
        words: np.ndarray,
        word_offsets: np.ndarray,
        logfreq: np.ndarray,
    ) -> BayesClassifier:
        """From the arrays of :func:`analysis.sentiment.build.bayes_arrays`."""
        joined = str(words)[:-1]  # drop the trailing sentinel
        offsets = word_offsets.tolist()
        rows = [tuple(r) for r in logfreq.tolist()]
        table = {joined[offsets[i] : offsets[i + 1]]: rows[i] for i in range(len(rows))}
        return cls(classes.tolist(), base.tolist(), unseen.tolist(), table)

    @property
    def vocabulary_size(self) -> int:
        return len(self._logfreq)

    def arrays(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Words, their log frequencies [word, class], the base and unseen values per class."""
        words = list(self._logfreq)
        logfreq = np.array(list(self._logfreq.values()), dtype=np.float64)
        logfreq = logfreq.reshape(len(words), len(self._base))
        return words, logfreq, np.array(self._base), np.array(self._unseen)

    def classify(self, words: Sequence[str]) -> float:
        """``Bayes.classify`` (log sums word by word in SnowNLP's order, then its softmax,
        including the ``OverflowError`` branch and first-wins ties) as P(positive)."""
        logfreq, unseen = self._logfreq, self._unseen
        if len(self._base) == 2:  # SnowNLP's pos/neg: both sums in one pass, same order
            first, second = self._base
            for a, b in map(logfreq.get, words, repeat(unseen)):
                first += a
                second += b
            tmp = [first, second]
        else:
            tmp = list(self._base)
            for k in range(len(tmp)):
                total = tmp[k]
                for word in words:
                    total += logfreq.get(word, unseen)[k]
                tmp[k] = total
        return self.decide(tmp)

    def decide(self, tmp: Sequence[float]) -> float:
        """``Bayes.classify``'s softmax over the per-class log sums, as P(positive)."""
        ret, prob = -1, 0
        for k in range(len(tmp)):
            now = 0
            try:
                for other in range(len(tmp)):
                    now += math.exp(tmp[other] - tmp[k])
                now = 1 / now
            except OverflowError:
                now = 0
            if now > prob:
                ret, prob = k, now
        return prob if ret == self._pos else 1 - prob


def read_marshal(path: Path) -> Any:
    """Read a model file the way SnowNLP's ``load(iszip=True)`` does."""
    try:
        with gzip.open(path, "rb") as handle:
            return marshal.loads(handle.read())
    except OSError:
        with open(path, "rb") as handle:
            return marshal.loads(handle.read())
