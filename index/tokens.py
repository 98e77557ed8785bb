"""Index terms for Chinese text: overlapping character bigrams for CJK runs, words otherwise.

``12345热线接线员骂人`` -> ``12345 热线 线接 接线 线员 员骂 骂人 人``. Each CJK run also
ends with its last character alone, so every character starts some term and a
one-character query becomes the prefix query ``骂*``. A multi-character query
term becomes the phrase of its bigrams, which must sit at consecutive positions.
"""

from __future__ import annotations

import re
from operator import add

from analysis.rules import normalize_text

try:
    from index._terms import index_text as _compiled_index_text
except ImportError:  # not built (a source checkout that was not installed): the Python path
    _compiled_index_text = None

_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([0-9a-z]+)")


def index_terms(text: str) -> list[str]:
    """Terms to index for a text."""
    terms: list[str] = []
    for cjk, word in _RUNS.findall(normalize_text(text)):
        if word:
            terms.append(word)
            continue
        terms.extend(map(add, cjk, cjk[1:]))  # its bigrams, without a Python loop
        terms.append(cjk[-1])
    return terms


def query_terms(term: str) -> tuple[list[str], bool]:
    """Terms of a query term as a phrase, and whether its last term is a prefix.

    A CJK run of one character is only found as the prefix of the terms it starts
    (``骂`` -> ``骂*`` finds ``骂人`` and a run-final ``骂``). Longer runs become
    their bigrams. An empty list means the term has no searchable characters.
    """
    terms: list[str] = []
    runs = _RUNS.findall(normalize_text(term))
    for cjk, word in runs:
        if word:
            terms.append(word)
        elif len(cjk) == 1:
            terms.append(cjk)
        else:
            terms.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
    last_cjk = runs[-1][0] if runs else ""
    return terms, len(last_cjk) == 1


def index_text(text: str) -> str:
    """Index terms joined by spaces: what the search index's whitespace tokenizer splits."""
    if _compiled_index_text is not None:
        return _compiled_index_text(text)
    return " ".join(index_terms(text))
