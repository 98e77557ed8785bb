"""Fast, bit-identical re-implementation of ``snownlp.SnowNLP(text).sentiments``.

SnowNLP's pipeline is: split the text into runs of ``[\\u4E00-\\u9FA5]`` and other parts
(``seg.seg``), tag every character of a run b/m/e/s with a 2nd-order HMM Viterbi
(``seg/y09_2047.py``), cut words from the tags, drop stop words, and classify the words
with a two-class naive Bayes (``classification/bayes.py``).

Here the HMM's ``log_prob`` values are precomputed into tables (:mod:`.build`,
:mod:`.tables`, cached on disk), all character runs of one or more texts are tagged
together by :func:`.decode.segment_runs` (numpy Viterbi, back-pointers instead of copied
path lists; it documents the tagger quirks it reproduces), this module does the
run/non-run split of ``seg.seg`` and the stop-word filtering exactly as SnowNLP, and
:class:`.classifier.BayesClassifier` the Bayes sums and softmax.

The segmentation is the same for every sentiment model; only the classifier differs.
:func:`default_model` carries SnowNLP's bundled classifier (the ``sentiment`` contract),
:func:`domain_model` the Weibo-trained one shipped with hotwatch (:mod:`.shipped`), on
the same tables.

One deliberate difference: ``SnowNLP("")`` raises ``ZeroDivisionError`` (its BM25 set-up
divides by the text length); ``score("")`` returns what SnowNLP's classifier gives for
no words, ``snownlp.sentiment.classify("")``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from itertools import filterfalse
from pathlib import Path

from analysis.sentiment.classifier import BayesClassifier
from analysis.sentiment.decode import segment_runs
from analysis.sentiment.shipped import shipped_model
from analysis.sentiment.sums import CompiledSums
from analysis.sentiment.tables import (
    Tables,
    cache_path,
    default_cache_dir,
    load_tables,
    model_files,
    save_tables,
)

RE_ZH = re.compile("([\u4e00-\u9fa5]+)")

BATCH_CHARS = 16_384  # characters of CJK runs decoded in one numpy batch

# A piece of a segmented text: a ready word (str) or the index of a CJK run (int).
Piece = str | int


class SentimentModel:
    """SnowNLP's segmenter + a sentiment classifier, over precomputed tables.

    The tables hold SnowNLP's segmentation, stop words and its bundled classifier; a
    model trained on other data shares the segmentation (:meth:`with_classifier`).
    """

    def __init__(self, tables: Tables, classifier: BayesClassifier | None = None) -> None:
        self.build_seconds: float | None = None
        self.load_seconds: float | None = None
        self._tables = tables
        self.classifier = classifier or BayesClassifier.from_arrays(
            tables.classes,
            tables.base,
            tables.unseen,
            tables.words,
            tables.word_offsets,
            tables.logfreq,
        )
        self._stop = frozenset(str(tables.stopwords).split("\n"))
        self._compiled: CompiledSums | None = None

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_snownlp(
        cls,
        model_path: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> SentimentModel:
        """Load the cached tables for snownlp's model files, building them if needed.

        ``model_path`` names the sentiment model the way ``snownlp.sentiment.load`` does
        (default: snownlp's bundled one). Tables are cached under ``cache_dir`` (default
        ``$XDG_CACHE_HOME/hotwatch`` or ``~/.cache/hotwatch``), keyed by the snownlp
        version and the model files' hashes. A missing, stale or corrupt cache file is
        rebuilt (in a child process, as reading snownlp's marshal files is memory-hungry).
        """
        files = model_files(model_path)
        key = files.cache_key()
        path = cache_path(Path(cache_dir) if cache_dir else default_cache_dir(), key)
        start = time.perf_counter()
        tables = load_tables(path, key)
        build_seconds = None
        if tables is None:
            build_start = time.perf_counter()
            _build_cache(model_path, path, key)
            build_seconds = time.perf_counter() - build_start
            start = time.perf_counter()
            tables = load_tables(path, key)
            if tables is None:
                raise RuntimeError(f"could not build sentiment tables at {path}")
        model = cls(tables)
        model.load_seconds = time.perf_counter() - start
        model.build_seconds = build_seconds
        return model

    def same_segmentation(self, other: SentimentModel) -> bool:
        """True when both models segment from the same tables (so their words agree)."""
        return self._tables is other._tables

    def with_classifier(self, classifier: BayesClassifier) -> SentimentModel:
        """The same segmentation (tables shared, not copied) with another classifier."""
        model = SentimentModel(self._tables, classifier)
        model._stop = self._stop
        return model

    # -- public API -------------------------------------------------------------------

    def score(self, text: str) -> float:
        """Exactly ``snownlp.SnowNLP(text).sentiments``."""
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[float]:
        """Scores of several texts: in one compiled call each when the extension is
        built, else decoding all their character runs together."""
        compiled = self._compiled_sums()
        if compiled is not None:
            return [compiled.score(text) for text in texts]
        return [self.classifier.classify(words) for words in self.words_many(texts)]

    def _compiled_sums(self) -> CompiledSums | None:
        if self._compiled is None and CompiledSums.available(self.classifier):
            self._compiled = CompiledSums(self._tables, self.classifier, self._stop)
        return self._compiled

    def classify(self, words: Sequence[str]) -> float:
        """The classifier's P(positive) of already segmented, filtered words."""
        return self.classifier.classify(words)

    def words_many(self, texts: Sequence[str]) -> list[list[str]]:
        """``Sentiment.handle`` of each text: SnowNLP's words minus its stop words.

        Every distinct character run among all the texts is decoded once, so a text
        and its own sentences cost one segmentation.
        """
        docs, runs = self._pieces(texts)
        words = self._segment_runs(runs)
        return [self._words(doc, words) for doc in docs]

    def segment(self, text: str) -> list[str]:
        """Exactly ``snownlp.seg.seg(text)`` (before stop-word filtering)."""
        docs, runs = self._pieces([text])
        words = self._segment_runs(runs)
        out: list[str] = []
        for piece in docs[0]:
            if isinstance(piece, str):
                out.append(piece)
            else:
                out.extend(words[piece])
        return out

    # -- segmentation -------------------------------------------------------------

    @staticmethod
    def _pieces(texts: Iterable[str]) -> tuple[list[list[Piece]], list[str]]:
        """Split texts like ``snownlp.seg.seg``: CJK runs are collected for decoding."""
        docs: list[list[Piece]] = []
        runs: list[str] = []
        for text in texts:
            pieces: list[Piece] = []
            for i, part in enumerate(RE_ZH.split(text)):
                if i % 2:
                    pieces.append(len(runs))
                    runs.append(part)
                else:
                    pieces.extend(part.split())
            docs.append(pieces)
        return docs, runs

    def _words(self, doc: list[Piece], words: list[list[str]]) -> list[str]:
        stop = self._stop
        out: list[str] = []
        for piece in doc:
            if isinstance(piece, str):
                if piece not in stop:
                    out.append(piece)
            else:
                out.extend(filterfalse(stop.__contains__, words[piece]))
        return out

    def _segment_runs(self, runs: list[str]) -> list[list[str]]:
        """Words of every CJK run (``snownlp.seg.single_seg``).

        Equal runs are decoded once. Runs are decoded together in batches of about
        ``BATCH_CHARS`` characters, which amortises numpy's per-call cost while bounding
        the decoder's memory (its per-character tables take roughly 1 kB per character).
        """
        unique = list(dict.fromkeys(runs))
        out: list[list[str]] = []
        batch: list[str] = []
        size = 0
        for run in unique:
            if batch and size + len(run) > BATCH_CHARS:
                out += segment_runs(self._tables, batch)
                batch, size = [], 0
            batch.append(run)
            size += len(run)
        if batch:
            out += segment_runs(self._tables, batch)
        found = dict(zip(unique, out, strict=True))
        return [found[run] for run in runs]


def _build_cache(model_path: str | os.PathLike[str] | None, path: Path, key: str) -> None:
    """Build the tables in a child process (frees snownlp's ~500 MB on exit).

    Only when no child process can be started is the build done in this process; a
    child that fails raises ``RuntimeError`` with its error output.
    """
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "analysis.sentiment.build", str(model_path or ""), str(path), key]
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except OSError:
        from analysis.sentiment.build import build_tables

        save_tables(build_tables(model_files(model_path)), path, key)
        return
    if result.returncode != 0:
        raise RuntimeError(f"building sentiment tables failed:\n{result.stderr[-2000:]}")


_DEFAULT: SentimentModel | None = None
_DOMAIN: SentimentModel | None = None
_LOCK = threading.RLock()


def default_model() -> SentimentModel:
    """The shared model (default snownlp files and cache), loaded or built on first use."""
    global _DEFAULT
    model = _DEFAULT
    if model is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = SentimentModel.from_snownlp()
            model = _DEFAULT
    return model


def domain_model() -> SentimentModel:
    """The shipped domain classifier (:mod:`.shipped`) on the default model's segmentation."""
    global _DOMAIN
    model = _DOMAIN
    if model is None:
        with _LOCK:
            if _DOMAIN is None:
                start = time.perf_counter()
                classifier = shipped_model().classifier()
                _DOMAIN = default_model().with_classifier(classifier)
                _DOMAIN.load_seconds = time.perf_counter() - start
            model = _DOMAIN
    return model


def reset_default_model() -> None:
    """Forget the shared models; the next :func:`default_model` or :func:`domain_model`
    call loads them again."""
    global _DEFAULT, _DOMAIN
    with _LOCK:
        _DEFAULT = _DOMAIN = None


def snownlp_sentiment(text: str) -> float:
    """Exactly ``snownlp.SnowNLP(text).sentiments``, fast."""
    return default_model().score(text)
