"""One n-gram dictionary shared by every loaded judgement model.

Relevance, damage and category read the same page n-grams against three vocabularies
that mostly overlap. Each model registers its vocabulary here once and keeps its
weights as arrays over the shared ids, so a page's grams are looked up in one
dictionary pass (cached on its :class:`NgramCounts`) and each model scores with a
few numpy operations instead of a Python loop per gram.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Mapping
from itertools import repeat

import numpy as np

# 1 + log(count) for small counts, taken from math.log so the values are those of
# the pure-Python formula; a page's lead has at most a few thousand grams.
_TF_TABLE_SIZE = 4096
_TF_TABLE = np.array([0.0] + [1.0 + math.log(c) for c in range(1, _TF_TABLE_SIZE)])


class SharedVocabulary:
    """Grams of all registered models -> one id each; grows as models register."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def register(self, vocabulary: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """The shared ids of ``vocabulary``'s grams and their indices in the model."""
        with self._lock:
            ids = self.ids
            for gram in vocabulary:
                if gram not in ids:
                    ids[gram] = len(ids)
            shared = np.fromiter(map(ids.__getitem__, vocabulary), np.int64, len(vocabulary))
        own = np.fromiter(vocabulary.values(), np.int64, len(vocabulary))
        return shared, own

    def dense(self, vocabulary: Mapping[str, int], values: np.ndarray) -> np.ndarray:
        """``values`` (rows indexed by the model's own index) laid out over shared ids.

        Rows of grams the model lacks are zero; ids registered later fall past the end.
        """
        shared, own = self.register(vocabulary)
        out = np.zeros((int(shared.max()) + 1 if len(shared) else 0, *values.shape[1:]))
        out[shared] = values[own]
        return out

    def lookup(self, counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """Shared ids of the page's known grams and their sublinear term frequencies."""
        cached = getattr(counts, "_shared", None)
        size = len(self.ids)
        if cached is not None and cached[0] == size:
            return cached[1], cached[2]
        found = np.fromiter(map(self.ids.get, counts, repeat(-1)), np.int64, len(counts))
        tally = np.fromiter(counts.values(), np.int64, len(counts))
        known = found >= 0
        found, tally = found[known], tally[known]
        if len(tally) and tally.max() >= _TF_TABLE_SIZE:
            tf = np.array([1.0 + math.log(int(c)) for c in tally])
        else:
            tf = _TF_TABLE[tally]
        if isinstance(counts, NgramCounts):
            counts._shared = (size, found, tf)
        return found, tf


class NgramCounts(Counter[str]):
    """A page's n-gram counts that remember their shared-vocabulary lookup."""

    _shared: tuple[int, np.ndarray, np.ndarray] | None = None


SHARED = SharedVocabulary()


def tfidf_parts(dense_idf: np.ndarray, counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The page's TF-IDF values for one model (zero where it lacks the gram) and their ids."""
    ids, tf = SHARED.lookup(counts)
    inside = ids < len(dense_idf)
    ids = ids[inside]
    return tf[inside] * dense_idf[ids], ids
