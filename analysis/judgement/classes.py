"""A multinomial logistic model over TF-IDF character n-grams plus named evidence.

The category judgement: which failure a relevant page reports. Same features as
``linear.py``, one weight vector per class; the best class wins.
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

from analysis.judgement.vocabulary import SHARED, tfidf_parts


@dataclass(frozen=True)
class ClassTextModel:
    name: str
    classes: list[str]
    vocabulary: dict[str, int]
    # float64 arrays when loaded (see ``LinearTextModel``), lists when trained
    idf: Sequence[float]
    weights: Sequence[Sequence[float]]  # per vocabulary entry, one weight per class
    features: dict[str, list[float]]  # named feature -> one weight per class
    intercepts: list[float]
    meta: dict

    def logits(self, counts: Counter[str], evidence: Mapping[str, float]) -> dict[str, float]:
        idf, weights = self._dense
        values, ids = tfidf_parts(idf, counts)
        norm = math.sqrt(float(values @ values)) or 1.0
        sums = (values @ weights[ids]).tolist()
        totals = [t / norm + b for t, b in zip(sums, self.intercepts, strict=True)]
        for name, value in evidence.items():
            for k, weight in enumerate(self.features.get(name, ())):
                totals[k] += weight * value
        return dict(zip(self.classes, totals, strict=True))

    @cached_property
    def _dense(self) -> tuple[np.ndarray, np.ndarray]:
        """IDF and per-class weights over the shared vocabulary's ids (zero where not ours)."""
        weights = np.asarray(self.weights, float).reshape(len(self.idf), len(self.classes))
        table = np.column_stack([np.asarray(self.idf, float), weights])
        dense = SHARED.dense(self.vocabulary, table)
        return dense[:, 0].copy(), np.ascontiguousarray(dense[:, 1:])

    def best(self, counts: Counter[str], evidence: Mapping[str, float]) -> str:
        logits = self.logits(counts, evidence)
        return max(logits, key=lambda name: logits[name])

    def save(self, path: Path) -> None:
        data = {
            "name": self.name,
            "classes": self.classes,
            "vocabulary": self.vocabulary,
            "idf": np.asarray(self.idf, float).tolist(),
            "weights": np.asarray(self.weights, float).tolist(),
            "features": self.features,
            "intercepts": self.intercepts,
            "meta": self.meta,
        }
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=2)
def load_class_model(name: str) -> ClassTextModel:
    """The shipped model ``analysis/judgement/data/<name>.json.gz``."""
    data_file = resources.files(__package__).joinpath("data", f"{name}.json.gz")
    with data_file.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    data["idf"], data["weights"] = (np.asarray(data[k], float) for k in ("idf", "weights"))
    return ClassTextModel(**data)
