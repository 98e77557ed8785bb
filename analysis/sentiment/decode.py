"""SnowNLP's character tagger (``seg/y09_2047.py``), decoded for many runs at once.

SnowNLP keeps, after each character, 16 states (status of the previous and of the
current character), each with a score and a copied path. For a state (s2, s3) it tries
the four predecessors (s1, s2) in the order b, m, e, s and keeps the first best
(``p > best``), where ``p = score(s1, s2) + log_prob(s1, s2, s3)``. Here the same
additions happen elementwise in numpy (no reordering, so the floats are identical),
``argmax`` keeps the first maximum like the strict ``>`` does, and back-pointers
replace the copied paths. Quirks reproduced:

* a character the model never saw adds nothing and every state (s2, s3) inherits
  the *last* predecessor tried, (s, s2), not the best one;
* the first two positions have the BOS pair(s) as context (status slot 0 here);
* the final state is the first maximum in SnowNLP's state order, current status
  major and previous status minor.

Runs are sorted longest first so the runs still going at step t are a prefix, and
each step's rows are contiguous (:class:`Layout`). The per-position ``log_prob``
values (64 per character) are gathered from the tables of :mod:`.build`: the
character's base row, overwritten by its bigram's and then its trigram's entries.

The compiled decoder (``_viterbi.pyx``, built on install) runs the same recursion one
run at a time in C, which saves numpy's per-call cost at every step; this module's
numpy decoder is used when it is not built (a source checkout that was not installed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.sentiment.tables import (
    BOS_ID,
    SLOT_END,
    SLOT_FIRST,
    SLOT_KEY,
    SLOT_NUMBER,
    UNSEEN_ID,
    ZH_FIRST,
    ZH_LAST,
    Tables,
    hash_home,
)

try:
    from analysis.sentiment._viterbi import segment_tags
except ImportError:  # not built: the numpy decoder below gives the same tags
    segment_tags = None

B, M, E, S = range(4)
CHUNK_CHARS = 12_000


def segment_runs(tables: Tables, runs: Sequence[str]) -> list[list[str]]:
    """SnowNLP's words for each run of characters in ``[\\u4E00-\\u9FA5]``.

    Distinct runs are decoded longest first, in batches of about ``CHUNK_CHARS``
    characters (bigger batches mean fewer numpy calls per character, but arrays
    that no longer fit in cache). Equal runs share one (read-only) word list.
    """
    unique = sorted(filter(None, dict.fromkeys(runs)), key=len, reverse=True)
    words: dict[str, list[str]] = {"": []}
    start = 0
    while start < len(unique):
        stop, size = start, 0
        while stop < len(unique) and (size < CHUNK_CHARS or stop == start):
            size += len(unique[stop])
            stop += 1
        chunk = unique[start:stop]
        words.update(zip(chunk, segment_sorted(tables, chunk), strict=True))
        start = stop
    return [words[run] for run in runs]


def segment_sorted(tables: Tables, runs: list[str], *, compiled: bool = True) -> list[list[str]]:
    """:func:`segment_runs` for non-empty runs sorted longest first.

    ``compiled=False`` takes the numpy decoder even when the compiled one is built.
    """
    lengths = np.fromiter(map(len, runs), dtype=np.int64, count=len(runs))
    text = "".join(runs)
    if compiled and segment_tags is not None:
        return _segment_compiled(tables, text, lengths)
    layout = Layout(lengths)
    ids = char_ids(tables, text)
    prev1, prev2 = previous_ids(ids, layout.offset)
    lp = log_probs(tables, ids, prev1, prev2, layout.row)
    tags = np.empty(len(text), dtype=np.int8)
    tags[layout.perm] = viterbi(lp, ids[layout.perm] == UNSEEN_ID, layout)
    return split_words(text, tags, layout.starts, lengths)


def _segment_compiled(tables: Tables, text: str, lengths: np.ndarray) -> list[list[str]]:
    """The compiled decoder: characters stay in text order, no step-major layout."""
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    tags = np.empty(len(text), dtype=np.int8)
    bigrams, trigrams = _gram_table(tables, "bi"), _gram_table(tables, "tri")
    segment_tags(tables.lu, bigrams, trigrams, char_ids(tables, text), starts, lengths, tags)
    return split_words(text, tags, starts, lengths)


def _gram_table(tables: Tables, kind: str) -> tuple[np.ndarray, ...]:
    """(slots, entries as bytes, [bits, width]) of the bigram or trigram table."""
    entries = getattr(tables, f"{kind}_entries")
    return getattr(tables, f"{kind}_slots"), entries.view(np.uint8), getattr(tables, f"{kind}_hash")


class Layout:
    """Where each character of runs sorted longest first goes in step-major order.

    Step t holds the ``active[t]`` runs longer than t, in run order, starting at row
    ``step_start[t]``; character i of the concatenated runs is at ``row[i]``, and
    ``perm`` is the inverse.
    """

    def __init__(self, lengths: np.ndarray) -> None:
        self.lengths = lengths
        self.longest = int(lengths[0])
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        self.active = np.searchsorted(-lengths, -np.arange(self.longest + 1), side="left")
        self.step_start = np.concatenate(([0], np.cumsum(self.active[:-1])))
        run = np.repeat(np.arange(len(lengths)), lengths)
        self.offset = np.arange(len(run)) - self.starts[run]
        self.row = self.step_start[self.offset] + run
        self.perm = np.empty(len(run), dtype=np.int64)
        self.perm[self.row] = np.arange(len(run))

    @property
    def spans(self) -> list[tuple[int, int]]:
        """(first row, end row) of each step, and an empty one after the last."""
        ends = self.step_start + self.active
        return list(zip(self.step_start.tolist(), ends.tolist(), strict=True))


def char_ids(tables: Tables, text: str) -> np.ndarray:
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if len(codepoints) and (codepoints.min() < ZH_FIRST or codepoints.max() > ZH_LAST):
        raise ValueError("runs must only hold characters in [\\u4E00-\\u9FA5]")
    return tables.char_ids[codepoints - ZH_FIRST].astype(np.int64)


def previous_ids(ids: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ids one and two characters back in the same run, BOS before its start."""
    prev1 = np.roll(ids, 1)
    prev1[offset < 1] = BOS_ID
    prev2 = np.roll(ids, 2)
    prev2[offset < 2] = BOS_ID
    return prev1, prev2


def log_probs(
    tables: Tables, ids: np.ndarray, prev1: np.ndarray, prev2: np.ndarray, row: np.ndarray
) -> np.ndarray:
    """``log_prob`` for every position and status triple: shape (positions, 64).

    Character i goes to ``lp[row[i]]``, index s1 * 16 + s2 * 4 + s3; at offsets 0
    and 1 the BOS context sits in slot 0.
    """
    n_ids = tables.n_ids
    in_rows = np.empty_like(ids)
    in_rows[row] = ids
    lp = np.take(tables.lu, in_rows, axis=0)
    found, bigram = lookup(tables.bi_slots, tables.bi_hash, prev1 * n_ids + ids)
    rows, entries = expand(tables.bi_slots[bigram], found)
    bi_entries = tables.bi_entries[entries]
    lp.reshape(-1, 4, 16)[row[rows], :, bi_entries["combo"]] = bi_entries["val"][:, None]
    trigram_key = tables.bi_slots[bigram, SLOT_NUMBER].astype(np.int64) * n_ids + prev2[found]
    hit, trigram = lookup(tables.tri_slots, tables.tri_hash, trigram_key)
    rows, entries = expand(tables.tri_slots[trigram], found[hit])
    tri_entries = tables.tri_entries[entries]
    lp[row[rows], tri_entries["combo"]] = tri_entries["val"]
    return lp


def lookup(slots: np.ndarray, shape: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, ...]:
    """(positions in ``query`` that are stored keys, their slots)."""
    bits, width = int(shape[0]), int(shape[1])
    home = hash_home(query, bits)
    match = slots[home[:, None] + np.arange(width), SLOT_KEY] == query[:, None]
    found = np.flatnonzero(match.any(axis=1))
    return found, home[found] + match[found].argmax(axis=1)


def expand(slots: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, entry index) for every entry of the grams in ``slots`` (one row each)."""
    first = slots[:, SLOT_FIRST].astype(np.int64)
    counts = slots[:, SLOT_END] - first
    shift = np.repeat(first - (np.cumsum(counts) - counts), counts)
    return np.repeat(rows, counts), np.arange(int(counts.sum())) + shift


def viterbi(lp: np.ndarray, unseen: np.ndarray, layout: Layout) -> np.ndarray:
    """Best status per position, in step-major order."""
    scores = np.empty((len(lp), 4, 4))  # after each step: (s2, s3) per run
    pointers = np.zeros((len(lp), 4, 4), dtype=np.intp)  # best s1 per (s2, s3)
    spans = layout.spans
    first = 0.0 + lp[: len(layout.lengths), :4]
    first[unseen[: len(layout.lengths)]] = 0.0
    buffer = np.empty((spans[1][1] - spans[1][0] if layout.longest > 1 else 0, 4, 4, 4))
    has_unseen = np.add.reduceat(unseen, layout.step_start[:-1]).astype(bool).tolist()
    lp4, lp16 = lp.reshape(-1, 4, 4, 4), lp[:, :16].reshape(-1, 4, 4)
    previous = first[:, :, None]  # t = 0: only the BOS predecessor, slot 0
    for t in range(1, layout.longest):
        a, b = spans[t]
        n = b - a
        if t == 1:
            np.add(previous[:n], lp16[a:b], out=scores[a:b])
        else:
            candidates = np.add(previous[:n, :, :, None], lp4[a:b], out=buffer[:n])
            np.maximum.reduce(candidates, axis=1, out=scores[a:b])
            candidates.argmax(axis=1, out=pointers[a:b])
        if has_unseen[t]:
            inherit(scores[a:b], pointers[a:b], previous[:n], unseen[a:b], t)
        previous = scores[a:b]
    return backtrack(pointers, final_states(first, scores, layout), layout)


def inherit(
    best: np.ndarray, pointer: np.ndarray, previous: np.ndarray, unseen: np.ndarray, t: int
) -> None:
    """Unseen character: (s2, s3) takes the score of the last predecessor tried,
    (s, s2) -- or at t = 1 the only one, (BOS, s2)."""
    if t == 1:
        best[unseen] = previous[unseen]  # (runs, s2, 1): the score after position 0
        return
    best[unseen] = previous[unseen][:, S, :, None]
    pointer[unseen] = S


def final_states(first: np.ndarray, scores: np.ndarray, layout: Layout) -> np.ndarray:
    """Each run's best last state as s2 * 4 + s3; SnowNLP's order is s3 major."""
    last = layout.lengths - 1
    rows = layout.step_start[last] + np.arange(len(last))
    pairs = scores[rows].transpose(0, 2, 1).reshape(-1, 16).argmax(axis=1)
    s3, s2 = np.divmod(pairs, 4)
    single = last == 0
    s3[single] = first[single].argmax(axis=1)
    s2[single] = 0
    return s2 * 4 + s3


def backtrack(pointers: np.ndarray, final: np.ndarray, layout: Layout) -> np.ndarray:
    """Follow the pointers back; a state is s2 * 4 + s3 and its status is s3."""
    # Predecessor state of (s2, s3) is (s1, s2); at t = 1 the pointer is 0, which
    # leaves s2 as the status of position 0.
    before = (pointers.reshape(-1, 16) * 4 + np.arange(16) // 4).ravel()
    offsets = np.arange(len(pointers)) * 16
    states = np.empty(len(pointers), dtype=np.intp)
    state = np.empty(len(final), dtype=np.intp)
    spans = layout.spans
    for t in range(layout.longest - 1, -1, -1):
        a, b = spans[t]
        n, done = b - a, spans[t + 1][1] - spans[t + 1][0]
        if done < n:  # runs whose last character is at t start here
            state[done:n] = final[done:n]
        states[a:b] = state[:n]
        if t:
            state[:n] = before[offsets[a:b] + state[:n]]
    return (states & 3).astype(np.int8)


def split_words(
    text: str, tags: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> list[list[str]]:
    """``Seg.seg``: a word ends at an e, before a b or s, and at the end of the run."""
    ends = tags == E
    ends[:-1] |= (tags[1:] == B) | (tags[1:] == S)
    ends[starts + lengths - 1] = True
    bounds = (np.flatnonzero(ends) + 1).tolist()
    words = list(map(text.__getitem__, map(slice, [0, *bounds[:-1]], bounds)))
    per_run = np.add.reduceat(ends, starts, dtype=np.int64).tolist()
    out, cursor = [], 0
    for count in per_run:
        out.append(words[cursor : cursor + count])
        cursor += count
    return out
