"""A linear model (logistic, or a regression) over TF-IDF character n-grams plus evidence.

Scores exactly what scikit-learn's ``TfidfVectorizer(analyzer="char",
sublinear_tf=True)`` followed by ``LogisticRegression`` computes on the same
vocabulary, with the named features appended after the L2-normalised n-gram part.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from analysis.judgement.ngrams import sublinear_tf
from analysis.judgement.vocabulary import SHARED, tfidf_parts


@dataclass(frozen=True)
class LinearTextModel:
    name: str
    vocabulary: dict[str, int]
    # Loaded models hold these as float64 arrays (a list of floats takes four times the
    # memory, in every analysis worker); trained ones as lists. Same values either way.
    idf: Sequence[float]
    weights: Sequence[float]  # one per vocabulary entry
    features: dict[str, float]  # named feature -> weight
    intercept: float
    threshold: float  # decision threshold chosen on the dev split
    meta: dict
    link: str = "logistic"  # or "linear": a regression on a 0..scale reading
    scale: float = 1.0

    def logit(self, counts: Counter[str], evidence: Mapping[str, float]) -> float:
        """The model's log-odds for a page's n-gram counts and evidence features."""
        idf, weights = self._dense
        values, ids = tfidf_parts(idf, counts)
        norm = math.sqrt(float(values @ values)) or 1.0
        total = float(values @ weights[ids]) / norm
        total += sum(self.features.get(name, 0.0) * value for name, value in evidence.items())
        return total + self.intercept

    @cached_property
    def _dense(self) -> tuple[np.ndarray, np.ndarray]:
        """IDF and weights over the shared vocabulary's ids (zero where the gram is not ours)."""
        table = np.column_stack([np.asarray(self.idf, float), np.asarray(self.weights, float)])
        dense = SHARED.dense(self.vocabulary, table)
        return dense[:, 0].copy(), dense[:, 1].copy()

    def probability(self, counts: Counter[str], evidence: Mapping[str, float]) -> float:
        """The score in [0, 1]: a probability, or a regression's reading over its scale."""
        value = self.logit(counts, evidence)
        if self.link == "linear":
            return min(1.0, max(0.0, value / self.scale))
        return _sigmoid(value)

    def top_terms(self, counts: Counter[str], limit: int = 5) -> list[tuple[str, float]]:
        """The n-grams that moved this page's score most, with their contributions."""
        contributions = []
        for gram, count in counts.items():
            index = self.vocabulary.get(gram)
            if index is not None and len(gram) > 1:
                value = sublinear_tf(count) * float(self.idf[index])
                contributions.append((gram, value * float(self.weights[index])))
        norm = math.sqrt(sum(v * v for v in _tfidf_values(self, counts))) or 1.0
        ranked = sorted(contributions, key=lambda item: -abs(item[1]))[:limit]
        return [(gram, round(value / norm, 3)) for gram, value in ranked]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "vocabulary": self.vocabulary,
            "idf": np.asarray(self.idf, float).tolist(),
            "weights": np.asarray(self.weights, float).tolist(),
            "features": self.features,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "meta": self.meta,
            "link": self.link,
            "scale": self.scale,
        }

    def save(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(self.to_json(), handle, ensure_ascii=False, separators=(",", ":"))


def _tfidf_values(model: LinearTextModel, counts: Counter[str]) -> list[float]:
    return [
        sublinear_tf(count) * float(model.idf[model.vocabulary[gram]])
        for gram, count in counts.items()
        if gram in model.vocabulary
    ]


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


@lru_cache(maxsize=4)
def load_model(name: str) -> LinearTextModel:
    """The shipped model ``analysis/judgement/data/<name>.json.gz``."""
    model = model_from_json(_shipped(name))
    _THRESHOLDS[name] = model.threshold
    return model


def model_threshold(name: str) -> float:
    """A shipped model's decision threshold, without keeping the model.

    The crawler process places documents by the relevance threshold while its analysis
    workers score them: holding the model's vocabulary there cost it ~12 MB.
    """
    if name not in _THRESHOLDS:
        _THRESHOLDS[name] = float(_shipped(name)["threshold"])
    return _THRESHOLDS[name]


_THRESHOLDS: dict[str, float] = {}


def _shipped(name: str) -> dict:
    data_file = resources.files(__package__).joinpath("data", f"{name}.json.gz")
    with data_file.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def model_from_json(data: dict) -> LinearTextModel:
    return LinearTextModel(
        name=data["name"],
        vocabulary=data["vocabulary"],
        idf=np.asarray(data["idf"], float),
        weights=np.asarray(data["weights"], float),
        features=data["features"],
        intercept=data["intercept"],
        threshold=data["threshold"],
        meta=data.get("meta", {}),
        link=data.get("link", "logistic"),
        scale=data.get("scale", 1.0),
    )
