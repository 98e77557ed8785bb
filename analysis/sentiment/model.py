"""Fast, bit-identical re-implementation of ``snownlp.SnowNLP(text).sentiments``.

SnowNLP's pipeline is: split the text into runs of ``[\\u4E00-\\u9FA5]`` and other parts
(``seg.seg``), tag every character of a run b/m/e/s with a 2nd-order HMM Viterbi
(``seg/y09_2047.py``), cut words from the tags, drop stop words, and classify the words
with a two-class naive Bayes (``classification/bayes.py``).

Here the HMM's ``log_prob`` values are precomputed into tables (:mod:`.build`,
:mod:`.tables`, cached on disk), all character runs of one or more texts are tagged
together by :func:`.decode.segment_runs` (numpy Viterbi, back-pointers instead of copied
path lists; it documents the tagger quirks it reproduces), and this module does the rest
exactly as SnowNLP: the run/non-run split of ``seg.seg``, stop-word filtering, and the
Bayes log sums in plain Python floats, word by word in SnowNLP's order, followed by its
softmax (including the ``OverflowError`` branch and first-wins ties).

One deliberate difference: ``SnowNLP("")`` raises ``ZeroDivisionError`` (its BM25 set-up
divides by the text length); ``score("")`` returns what SnowNLP's classifier gives for
no words, ``snownlp.sentiment.classify("")``.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis.sentiment.decode import segment_runs
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
    """SnowNLP's segmenter + sentiment classifier over precomputed tables."""

    def __init__(self, tables: Tables) -> None:
        self.build_seconds: float | None = None
        self.load_seconds: float | None = None
        self._tables = tables
        self._classes = [str(c) for c in tables.classes]
        self._base = [float(v) for v in tables.base]
        self._unseen = tuple(float(v) for v in tables.unseen)
        self._logfreq = _word_table(tables)
        self._stop = frozenset(str(tables.stopwords).split("\n"))
        self._pos = self._classes.index("pos") if "pos" in self._classes else -1

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

    # -- public API -------------------------------------------------------------------

    def score(self, text: str) -> float:
        """Exactly ``snownlp.SnowNLP(text).sentiments``."""
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[float]:
        """Scores of several texts, decoding all their character runs together."""
        docs, runs = self._pieces(texts)
        words = self._segment_runs(runs)
        return [self._classify(self._words(doc, words)) for doc in docs]

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
                out.extend(w for w in words[piece] if w not in stop)
        return out

    def _segment_runs(self, runs: list[str]) -> list[list[str]]:
        """Words of every CJK run (``snownlp.seg.single_seg``).

        Runs are decoded together in batches of about ``BATCH_CHARS`` characters, which
        amortises numpy's per-call cost while bounding the decoder's memory (its
        per-character tables take roughly 1 kB per character).
        """
        out: list[list[str]] = []
        batch: list[str] = []
        size = 0
        for run in runs:
            if batch and size + len(run) > BATCH_CHARS:
                out += segment_runs(self._tables, batch)
                batch, size = [], 0
            batch.append(run)
            size += len(run)
        if batch:
            out += segment_runs(self._tables, batch)
        return out

    # -- classification -----------------------------------------------------------

    def _classify(self, words: list[str]) -> float:
        """``Sentiment.classify``: Bayes log sums in SnowNLP's order, then its softmax."""
        logfreq, unseen = self._logfreq, self._unseen
        tmp = list(self._base)
        for k in range(len(tmp)):
            total = tmp[k]
            for word in words:
                total += logfreq.get(word, unseen)[k]
            tmp[k] = total
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


def _word_table(tables: Tables) -> dict[str, tuple[float, ...]]:
    """Word -> per-class ``log(count / class total)``, as Python floats."""
    words = str(tables.words)[:-1]  # drop the trailing sentinel
    offsets = tables.word_offsets.tolist()
    rows = [tuple(r) for r in tables.logfreq.tolist()]
    return {words[offsets[i] : offsets[i + 1]]: rows[i] for i in range(len(rows))}


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
_DEFAULT_LOCK = threading.Lock()


def default_model() -> SentimentModel:
    """The shared model (default snownlp files and cache), loaded or built on first use."""
    global _DEFAULT
    model = _DEFAULT
    if model is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = SentimentModel.from_snownlp()
            model = _DEFAULT
    return model


def reset_default_model() -> None:
    """Forget the shared model; the next :func:`default_model` call loads it again."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = None


def snownlp_sentiment(text: str) -> float:
    """Exactly ``snownlp.SnowNLP(text).sentiments``, fast."""
    return default_model().score(text)
