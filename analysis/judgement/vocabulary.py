"""One n-gram dictionary shared by every loaded judgement model.

Relevance, damage and category read the same page n-grams against three vocabularies
that mostly overlap. Each model registers its vocabulary here once and keeps its
weights as arrays over the shared ids, so a page's grams are looked up once (cached
on its :class:`NgramCounts`) and each model scores with a few numpy operations
instead of a Python loop per gram.

A gram of up to three characters is one integer (each code point + 1 in its own 21
bits). The compiled lookup (``_grams.pyx``, built on install) hashes each of a page's
grams straight to its rank in the vocabulary's sorted keys; without it, the grams are
counted with ``np.unique`` and found with ``np.searchsorted`` in those keys. Both give
the known grams in key order, so every score sums in the same order.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Mapping
from itertools import repeat

import numpy as np

try:
    from analysis.judgement._grams import GramIndex
except ImportError:  # not built (a source checkout that was not installed): numpy lookup
    GramIndex = None

# 1 + log(count) for small counts, taken from math.log so the values are those of
# the pure-Python formula; a page's lead has at most a few thousand grams.
_TF_TABLE_SIZE = 4096
_TF_TABLE = np.array([0.0] + [1.0 + math.log(c) for c in range(1, _TF_TABLE_SIZE)])
_BITS = 21  # a code point + 1 fits: 0x110000 < 2**21
_KEYED_LENGTH = 3


def gram_key(gram: str) -> int:
    """A gram of one to three characters as one integer (0 is no character)."""
    key = 0
    for position, char in enumerate(gram):
        key |= (ord(char) + 1) << (_BITS * position)
    return key


def gram_keys(grams: list[str]) -> np.ndarray:
    """``gram_key`` of each gram (of one to three characters), for many at once."""
    lengths = np.fromiter(map(len, grams), np.int64, len(grams))
    joined = "".join(grams).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, np.uint32).astype(np.int64) + 1
    starts = np.cumsum(lengths) - lengths
    keys = np.zeros(len(grams), np.int64)
    for position in range(_KEYED_LENGTH):
        longer = lengths > position
        keys[longer] |= codes[starts[longer] + position] << (_BITS * position)
    return keys


def text_gram_keys(text: str) -> np.ndarray:
    """The keys of every 1-, 2- and 3-gram of ``text``, as ``ngram_counts`` slices them."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64) + 1
    pairs = codes[:-1] | (codes[1:] << _BITS)
    triples = pairs[:-1] | (codes[2:] << (2 * _BITS))
    return np.concatenate([codes, pairs, triples])


class SharedVocabulary:
    """Grams of all registered models -> one id each; grows as models register."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._lock = threading.Lock()
        # the keys of the grams in ids, sorted, and each one's id
        self._keys = np.zeros(0, np.int64)
        self._key_ids = np.zeros(0, np.int64)
        self._index: GramIndex | None = None  # the keys hashed, when compiled

    def register(self, vocabulary: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """The shared ids of ``vocabulary``'s grams and their indices in the model."""
        with self._lock:
            ids = self.ids
            new = [gram for gram in vocabulary if gram not in ids]
            for gram in new:
                ids[gram] = len(ids)
            if new:
                self._index_keys(new)
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

    def _index_keys(self, new: list[str]) -> None:
        """Merge the keys of grams just given ids into the sorted keys (keys are distinct)."""
        keyed = [gram for gram in new if len(gram) <= _KEYED_LENGTH]
        added = np.fromiter(map(self.ids.__getitem__, keyed), np.int64, len(keyed))
        keys = np.concatenate([self._keys, gram_keys(keyed)])
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._key_ids = np.concatenate([self._key_ids, added])[order]
        self._index = GramIndex(self._keys) if GramIndex is not None else None

    def lookup(self, counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """Shared ids of the page's known grams and their sublinear term frequencies."""
        cached = getattr(counts, "_shared", None)
        size = len(self.ids)
        if cached is not None and cached[0] == size:
            return cached[1], cached[2]
        text = getattr(counts, "text", None)
        if text is not None and len(self._keys) == size:
            found, tally = self._lookup_text(text)
        else:  # any mapping of grams (and vocabularies with grams past three characters)
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

    def _lookup_text(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        if self._index is not None:
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
            ranks, tally = self._index.lookup(codes)
            return self._key_ids[ranks], tally
        return self._lookup_sorted(text)

    def _lookup_sorted(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The numpy lookup: every gram counted, then searched in the sorted keys."""
        keys, tally = np.unique(text_gram_keys(text), return_counts=True)
        at = np.searchsorted(self._keys, keys)
        at[at == len(self._keys)] = 0
        known = self._keys[at] == keys if len(self._keys) else np.zeros(len(keys), bool)
        return self._key_ids[at[known]], tally[known]


class NgramCounts(Counter[str]):
    """A page's n-gram counts that remember their shared-vocabulary lookup.

    ``text`` is the text they count (all its 1-, 2- and 3-grams, as ``ngram_counts``
    makes them), so the lookup can work on the text's code points. Made by
    :meth:`of_text`, the counts themselves are only counted when something reads them
    (an explanation's top terms): scoring needs the lookup alone.
    """

    _shared: tuple[int, np.ndarray, np.ndarray] | None = None
    text: str | None = None
    _uncounted: str | None = None

    @classmethod
    def of_text(cls, text: str) -> NgramCounts:
        counts = cls()
        counts.text = counts._uncounted = text
        return counts

    def _count(self) -> None:
        text, self._uncounted = self._uncounted, None
        counts: Counter[str] = Counter()
        for size in (1, 2, 3):
            counts.update(text[i : i + size] for i in range(len(text) - size + 1))
        dict.update(self, counts)


def _counted(name: str) -> object:
    method = getattr(Counter, name)

    def counted(self: NgramCounts, *args: object, **kwargs: object) -> object:
        if self._uncounted is not None:
            self._count()
        return method(self, *args, **kwargs)

    counted.__name__ = name
    return counted


# Every way of reading or changing the mapping counts the grams first.
for _name in (
    "__iter__", "__len__", "__contains__", "__getitem__", "__setitem__", "__delitem__",
    "__eq__", "__ne__", "__repr__", "__reduce__", "__add__", "__sub__", "__or__", "__and__",
    "__pos__", "__neg__", "__iadd__", "__isub__", "__ior__", "__iand__", "get", "items",
    "keys", "values", "copy", "most_common", "elements", "total", "update", "subtract",
    "pop", "popitem", "setdefault", "clear",
):  # fmt: skip
    setattr(NgramCounts, _name, _counted(_name))


SHARED = SharedVocabulary()


def tfidf_parts(dense_idf: np.ndarray, counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The page's TF-IDF values for one model (zero where it lacks the gram) and their ids."""
    ids, tf = SHARED.lookup(counts)
    inside = ids < len(dense_idf)
    ids = ids[inside]
    return tf[inside] * dense_idf[ids], ids
