"""Turn SnowNLP's marshalled models into the flat tables of :class:`tables.Tables`.

Segmentation model (``seg/y09_2047.py``). Each character gets a status b/m/e/s and
the best status sequence maximises the sum, left to right, of::

    log_prob(s1, s2, s3) = log(l1*P(s3) + l2*C(s2,s3)/C(s2) + l3*C(s1,s2,s3)/C(s1,s2))

over (character, status) pairs, with two ``('', 'BOS')`` pairs before the run. For a
given character trigram only a handful of the 64 status triples were ever seen, so we
store: per character the value with no bigram/trigram counts (``lu``, repeated for
all 16 (s1, s2) so a position's row is one copy); per seen character bigram the
values of its seen status pairs (``bi_*``, valid for every s1 without a trigram
count); per seen character trigram the values of its seen status triples (``tri_*``).
Every value is computed here with the same Python float operations and ``math.log``
as SnowNLP, so lookups reproduce ``log_prob`` bit for bit.

BOS gets character id 0 and status slot 0, which is where the decoder reads the first
two positions of a run. Keys are found through small linear-probing hash tables
(:func:`hash_table`): one fixed-width read per look-up instead of a binary search; a
slot also holds the gram's number and where its entries are (:func:`gram_slots`).

Sentiment model (``classification/bayes.py``): per word and class
``log(count / class total)`` with SnowNLP's add-one ``none`` count for unseen words.

Run as ``python -m analysis.sentiment.build MODEL OUT_FILE KEY`` to build in a
separate process (loading the marshal files takes ~500 MB for a few seconds).
"""

from __future__ import annotations

import sys
from math import log
from pathlib import Path
from typing import Any

import numpy as np

from analysis.sentiment.classifier import read_marshal
from analysis.sentiment.tables import (
    BOS_ID,
    ENTRY_DTYPE,
    SLOT_END,
    SLOT_FIRST,
    SLOT_KEY,
    SLOT_NUMBER,
    UNSEEN_ID,
    ZH_FIRST,
    ZH_LAST,
    ModelFiles,
    Tables,
    hash_home,
    model_files,
    save_tables,
)

STATUS = ("b", "m", "e", "s")
BOS = ("", "BOS")
NOWHERE = ("\0", "\0")  # a (character, status) pair with no counts at all
MAX_WIDTH = 24  # hash probe window, in slots
NEG_INF = float("-inf")

Pair = tuple[str, str]


class LogProb:
    """``CharacterBasedGenerativeModel.log_prob`` over the raw count dicts."""

    def __init__(self, seg: dict[str, Any]) -> None:
        self.l1, self.l2, self.l3 = seg["l1"], seg["l2"], seg["l3"]
        self.uni, self.uni_none, self.uni_total = (seg["uni"][k] for k in ("d", "none", "total"))
        self.bi, self.bi_none = seg["bi"]["d"], seg["bi"]["none"]
        self.tri, self.tri_none = seg["tri"]["d"], seg["tri"]["none"]

    @staticmethod
    def div(v1: float, v2: float) -> float:
        if v2 == 0:
            return 0
        return float(v1) / v2

    def __call__(self, s1: Pair, s2: Pair, s3: Pair) -> float:
        uni = self.l1 * (float(self.uni.get(s3, self.uni_none)) / self.uni_total)
        bi = self.div(
            self.l2 * self.bi.get((s2, s3), self.bi_none), self.uni.get(s2, self.uni_none)
        )
        tri = self.div(
            self.l3 * self.tri.get((s1, s2, s3), self.tri_none),
            self.bi.get((s1, s2), self.bi_none),
        )
        if uni + bi + tri == 0:
            return float("-inf")
        return log(uni + bi + tri)


def build_tables(files: ModelFiles) -> Tables:
    seg = read_marshal(files.seg)
    if tuple(seg["status"]) != STATUS:
        raise ValueError(f"unexpected segmentation statuses {seg['status']!r}")
    log_prob = LogProb(seg)
    chars = seen_characters(seg["uni"]["d"])
    ids = {c: i + 2 for i, c in enumerate(chars)}
    ids[""] = BOS_ID
    char_ids = np.full(ZH_LAST - ZH_FIRST + 1, UNSEEN_ID, dtype=np.int32)
    for c, i in ids.items():
        if c:
            char_ids[ord(c) - ZH_FIRST] = i
    n_ids = len(chars) + 2
    lu = np.full((n_ids, 4), float("-inf"))
    for c in chars:
        lu[ids[c]] = [log_prob(NOWHERE, NOWHERE, (c, s)) for s in STATUS]
    lu = np.tile(lu, 16)  # the same for every (s1, s2): one row per position to copy
    bigrams, trigrams = ngram_entries(seg, ids, chars)
    del seg, log_prob
    bi_keys, bi_start, bi_combo, bi_val = csr(bigrams)
    # A trigram's count implies its last bigram's, so it is keyed by that bigram's number.
    tail = np.searchsorted(bi_keys, [t[0][0] for t in trigrams])
    trigrams = [
        (int(k) * n_ids + key[1], combo, value)
        for k, (key, combo, value) in zip(tail, trigrams, strict=True)
    ]
    tri_keys, tri_start, tri_combo, tri_val = csr(trigrams)
    bi_slots, bi_hash = gram_slots(bi_keys, bi_start)
    tri_slots, tri_hash = gram_slots(tri_keys, tri_start)
    return Tables(
        char_ids=char_ids,
        lu=lu,
        bi_slots=bi_slots,
        bi_hash=bi_hash,
        bi_entries=gram_entries(bi_combo, bi_val),
        tri_slots=tri_slots,
        tri_hash=tri_hash,
        tri_entries=gram_entries(tri_combo, tri_val),
        **bayes_arrays(read_marshal(files.sentiment)),
        stopwords=np.array("\n".join(sorted(read_stopwords(files.stopwords)))),
    )


def ngram_entries(
    seg: dict[str, Any], ids: dict[str, int], chars: list[str]
) -> tuple[list[tuple[Any, int, float]], list[tuple[Any, int, float]]]:
    """(key, combo, log_prob) of every seen bigram and trigram of known characters.

    ``LogProb.__call__`` inlined: the same float operations in the same order, with
    the unigram and bigram terms computed once per pair instead of once per use.
    For a bigram entry the trigram term is ``div(l3 * 0, 0) == 0``; adding it changes
    nothing, so it is left out.
    """
    l1, l2, l3 = seg["l1"], seg["l2"], seg["l3"]
    uni, uni_none, uni_total = (seg["uni"][k] for k in ("d", "none", "total"))
    bi, bi_none = seg["bi"]["d"], seg["bi"]["none"]
    div = LogProb.div
    n_ids = len(chars) + 2
    current = {(c, s): (ids[c], k) for c in chars for k, s in enumerate(STATUS)}
    context = {**current, BOS: (BOS_ID, 0)}
    uni_term = {p: l1 * (float(uni.get(p, uni_none)) / uni_total) for p in current}
    bi_term: dict[tuple[Pair, Pair], float] = {}
    bigrams = []
    for (s2, s3), count in bi.items():
        if s2 in context and s3 in current:
            (a, a_slot), (b, b_slot) = context[s2], current[s3]
            bi_term[s2, s3] = value = div(l2 * count, uni.get(s2, uni_none))
            total = uni_term[s3] + value
            bigrams.append((a * n_ids + b, a_slot * 4 + b_slot, log(total) if total else NEG_INF))
    trigrams = []
    for (s1, s2, s3), count in seg["tri"]["d"].items():
        if s1 in context and s2 in context and s3 in current:
            (p2, p2_slot), (a, a_slot), (b, b_slot) = context[s1], context[s2], current[s3]
            tri = div(l3 * count, bi.get((s1, s2), bi_none))
            total = uni_term[s3] + bi_term.get((s2, s3), 0.0) + tri
            combo = p2_slot * 16 + a_slot * 4 + b_slot
            trigrams.append(((a * n_ids + b, p2), combo, log(total) if total else NEG_INF))
    return bigrams, trigrams


def seen_characters(uni: dict[Pair, int]) -> list[str]:
    """Characters SnowNLP's tagger treats as found: some status has a non-zero count."""
    found = {
        c
        for (c, s), count in uni.items()
        if s in STATUS and count and len(c) == 1 and ZH_FIRST <= ord(c) <= ZH_LAST
    }
    return sorted(found)


def csr(entries: list[tuple[int, int, float]]) -> tuple[np.ndarray, ...]:
    """Sorted unique keys, their start offsets, and the entries' combos and values."""
    keys = np.array([e[0] for e in entries], dtype=np.int64)
    combos = np.array([e[1] for e in entries], dtype=np.int8)
    values = np.array([e[2] for e in entries], dtype=np.float64)
    order = np.argsort(keys, kind="stable")
    keys, combos, values = keys[order], combos[order], values[order]
    unique, first = np.unique(keys, return_index=True)
    start = np.append(first, len(keys)).astype(np.int64)
    return unique, start, combos, values


def hash_table(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear probing without wrap-around: (slots, index, [bits, width]).

    Placing keys in order of home slot, each goes to the first free slot at or after
    its home: slot_i = max(home_i, slot_{i-1} + 1). A look-up reads ``width`` slots
    from the home slot (the largest displacement + 1), so every key is found in one
    fixed-width read. The table doubles until that window is at most MAX_WIDTH. Every
    slot from a key's home to the key is taken, so the compiled look-up stops at the
    first empty one.
    """
    bits = max(4, int(len(keys)).bit_length())
    while True:
        home = hash_home(keys, bits)
        order = np.argsort(home, kind="stable")
        rank = np.arange(len(keys))
        placed = np.maximum.accumulate(home[order] - rank) + rank
        width = int((placed - home[order]).max(initial=0)) + 1
        if width <= MAX_WIDTH:
            break
        bits += 1
    dtype = np.int32 if int(keys.max(initial=0)) < 2**31 else np.int64
    slots = np.full(max(1 << bits, int(placed.max(initial=0)) + 1) + width, -1, dtype=dtype)
    index = np.zeros(len(slots), dtype=np.int32)
    slots[placed] = keys[order]
    index[placed] = order
    return slots, index, np.array([bits, width], dtype=np.int64)


def gram_slots(keys: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hash table of ``keys`` with each gram's number and CSR entry range in its slot:
    (int32 [slot, 4] as ``tables.SLOT_*``, [bits, width])."""
    slots, index, shape = hash_table(keys)
    if slots.dtype != np.int32:
        raise ValueError("gram keys past 2**31: the slots hold int32 keys")
    table = np.zeros((len(slots), 4), dtype=np.int32)
    table[:, SLOT_KEY] = slots
    occupied = slots >= 0
    table[occupied, SLOT_NUMBER] = index[occupied]
    table[occupied, SLOT_FIRST] = start[index[occupied]]
    table[occupied, SLOT_END] = start[index[occupied] + 1]
    return table, shape


def gram_entries(combos: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The CSR entries, value and status combination side by side (``ENTRY_DTYPE``)."""
    entries = np.empty(len(values), dtype=ENTRY_DTYPE)
    entries["val"] = values
    entries["combo"] = combos
    return entries


def bayes_arrays(model: dict[str, Any]) -> dict[str, np.ndarray]:
    """Class log-priors and per-word log-frequencies of a ``Bayes`` model dict."""
    classes = list(model["d"])
    probs = [model["d"][k] for k in classes]
    words = list(dict.fromkeys(w for p in probs for w in p["d"]))
    logfreq = np.array(
        [[log(float(p["d"].get(w, p["none"])) / p["total"]) for p in probs] for w in words],
        dtype=np.float64,
    ).reshape(len(words), len(classes))
    offsets = np.cumsum([0] + [len(w) for w in words], dtype=np.int64)
    return {
        "classes": np.array(classes, dtype=str),
        "base": np.array([log(p["total"]) - log(model["total"]) for p in probs]),
        "unseen": np.array([log(float(p["none"]) / p["total"]) for p in probs]),
        # A trailing sentinel: numpy drops trailing NULs from str arrays.
        "words": np.array("".join(words) + "|"),
        "word_offsets": offsets,
        "logfreq": logfreq,
    }


def read_stopwords(path: Path) -> set[str]:
    """``snownlp.normal.stop``: every line of the file, stripped."""
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}


def main(argv: list[str]) -> int:
    """``MODEL OUT_FILE KEY``: MODEL as for :func:`tables.model_files` ("" = snownlp's)."""
    model_path, out_path, key = argv
    save_tables(build_tables(model_files(model_path or None)), Path(out_path), key)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
