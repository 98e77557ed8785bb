"""A text's SnowNLP Bayes sums in one compiled call (``_viterbi.bayes_sums``).

:class:`SentimentModel` otherwise splits the text in Python, decodes its Han runs,
makes a string of every word, filters the stop words and adds each word's log
frequencies from a dict. The compiled path does the same steps in the same order
(so the sums, and every score, are bit for bit those of SnowNLP) without a Python
object per word. It serves two-class classifiers (SnowNLP's pos/neg and the shipped
domain model); others, and a checkout whose extension is not built, take the Python path.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from analysis.sentiment.classifier import BayesClassifier
from analysis.sentiment.decode import _gram_table
from analysis.sentiment.tables import Tables

try:
    from analysis.sentiment._viterbi import WordTable, bayes_sums
except ImportError:  # not built (a source checkout that was not installed)
    WordTable = bayes_sums = None


class CompiledSums:
    """The tables, a classifier's log frequencies and the word table they are read with."""

    def __init__(self, tables: Tables, classifier: BayesClassifier, stop: Collection[str]) -> None:
        if bayes_sums is None:
            raise RuntimeError("analysis/sentiment/_viterbi.pyx is not built")
        words, logfreq, self._base, self._unseen = classifier.arrays()
        if len(self._base) != 2:
            raise ValueError("the compiled sums serve two-class classifiers")
        rows = dict(zip(words, range(len(words)), strict=True))
        every = list(dict.fromkeys([*words, *stop]))
        stop = frozenset(stop)
        self._table = WordTable(every, [rows.get(w, -1) for w in every], [w in stop for w in every])
        self._logfreq = np.ascontiguousarray(logfreq)
        self._lu = tables.lu
        self._char_ids = tables.char_ids
        self._bi, self._tri = _gram_table(tables, "bi"), _gram_table(tables, "tri")
        self._classifier = classifier

    @staticmethod
    def available(classifier: BayesClassifier) -> bool:
        return bayes_sums is not None and len(classifier.classes) == 2

    def score(self, text: str) -> float:
        """The classifier's P(positive) of ``text``, as ``SentimentModel.score``."""
        codepoints = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        sums = bayes_sums(
            self._lu,
            self._bi,
            self._tri,
            self._char_ids,
            codepoints,
            self._table,
            self._logfreq,
            self._base,
            self._unseen,
        )
        return self._classifier.decide(sums)
