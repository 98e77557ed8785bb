"""The text a judgement model reads, and its character n-grams.

Models see the title and the lead of a page (``MODEL_CHARS`` characters), in
Simplified script, digits kept (12345 and 12315 are evidence), whitespace folded:
the labelled pages are page beginnings, and the lead is where news states its case.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from analysis.judgement.vocabulary import NgramCounts
from analysis.tags.script import simplified

MODEL_CHARS = 1500
NGRAM_SIZES = (1, 2, 3)
MIN_LINE_CHARS = 12
_SPACE = re.compile(r"\s+")
_SENTENCE_MARK = re.compile(r"[。！？，；：!?,;]")


def model_text(title: str, text: str) -> str:
    """Title and lead in Simplified script, lower case, whitespace folded to one space.

    Short lines without sentence punctuation (menus, link lists, bylines that extraction
    left in) are dropped, so pages read alike whether they come cleanly extracted or as
    raw page beginnings.
    """
    lines = [line for line in text[: MODEL_CHARS * 3].splitlines() if _is_prose(line)]
    joined = f"{title}\n" + "\n".join(lines)
    return _SPACE.sub(" ", simplified(joined).lower()).strip()[:MODEL_CHARS]


def _is_prose(line: str) -> bool:
    line = line.strip()
    return len(line) >= MIN_LINE_CHARS or bool(_SENTENCE_MARK.search(line))


def ngram_counts(text: str) -> Counter[str]:
    """Counts of the character 1-, 2- and 3-grams of ``text`` (as scikit-learn's ``char``).

    The counts remember their lookup in the models' shared vocabulary, so every model
    scoring the same page reuses it.
    """
    if NGRAM_SIZES == (1, 2, 3):  # what the shared vocabulary's lookup from text counts
        return NgramCounts.of_text(text)  # counted only when read
    counts = NgramCounts()
    for size in NGRAM_SIZES:
        counts.update(text[i : i + size] for i in range(len(text) - size + 1))
    return counts


def sublinear_tf(count: int) -> float:
    return 1.0 + math.log(count)
