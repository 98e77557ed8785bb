"""Labelled polarity corpora for training and evaluating sentiment models.

Readers for the CSV layouts of the Weibo emotion set (``text``, ``polarity`` pos/neg,
empty = no polarity) and the SophonPlus review sets (``review``, ``label`` 1/0), and a
seeded stratified train/dev split. Only the training script and benchmarks read files
with this; nothing at analysis time does.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabelledText:
    text: str
    positive: bool


@dataclass(frozen=True)
class CorpusFormat:
    file_name: str
    text_column: str
    label_column: str
    labels: dict[str, bool]  # label value -> positive; other values are skipped


CORPORA = {
    "weibo": CorpusFormat("weibo-emotion-dev.csv", "text", "polarity", {"pos": True, "neg": False}),
    "hotel": CorpusFormat("ChnSentiCorp_htl_all.csv", "review", "label", {"1": True, "0": False}),
    "waimai": CorpusFormat("waimai_10k.csv", "review", "label", {"1": True, "0": False}),
}


@dataclass(frozen=True)
class Split:
    train: list[LabelledText]
    dev: list[LabelledText]


def read_corpus(folder: Path, name: str) -> list[LabelledText]:
    """The labelled rows of corpus ``name`` in ``folder``, in file order.

    Rows with an empty text or a label outside the format's labels are skipped, and
    only the first of several rows with the same text is kept (reposts would otherwise
    sit on both sides of a split).
    """
    form = CORPORA[name]
    with (folder / form.file_name).open(encoding="utf-8", newline="") as handle:
        rows = [
            LabelledText(row[form.text_column].strip(), form.labels[row[form.label_column]])
            for row in csv.DictReader(handle)
            if (row[form.text_column] or "").strip() and row[form.label_column] in form.labels
        ]
    return unique_texts(rows)


def unique_texts(rows: Iterable[LabelledText]) -> list[LabelledText]:
    seen: set[str] = set()
    kept = []
    for row in rows:
        if row.text not in seen:
            seen.add(row.text)
            kept.append(row)
    return kept


def stratified_split(rows: Sequence[LabelledText], dev_fraction: float, seed: int) -> Split:
    """Each class shuffled with ``random.Random(seed)``; its first ``round(n * dev_fraction)``
    rows go to dev. Both sides keep the input order."""
    if not 0.0 < dev_fraction < 1.0:
        raise ValueError(f"dev_fraction must be between 0 and 1, not {dev_fraction}")
    rng = random.Random(seed)
    dev_index: set[int] = set()
    for positive in (False, True):
        members = [i for i, row in enumerate(rows) if row.positive is positive]
        rng.shuffle(members)
        dev_index.update(members[: round(len(members) * dev_fraction)])
    return Split(
        train=[row for i, row in enumerate(rows) if i not in dev_index],
        dev=[row for i, row in enumerate(rows) if i in dev_index],
    )
