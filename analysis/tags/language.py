"""Is a page written in Chinese? hotwatch judges Chinese-language pages only.

Its relevance, category and damage models read Chinese character n-grams and were
trained on Chinese pages; on English pages they rank no better than chance (dev
pages, out of fold: AUC 0.44), so a page in another language is set aside with a
reason instead of being judged.
"""

from __future__ import annotations

import numpy as np

SAMPLE_CHARS = 1500
MIN_CHINESE_SHARE = 0.2  # of the letters in the page's beginning (menus in English are common)
_HAN = (0x3400, 0x9FFF)
# Letters: Han, ASCII, Latin with diacritics, Cyrillic, Hangul, kana (inclusive ranges).
_OTHER_LETTERS = (
    (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x400, 0x4FF), (0xAC00, 0xD7AF), (0x3040, 0x30FF)
)  # fmt: skip


def chinese_share(text: str) -> float:
    """Share of Han characters among the letters of the text's beginning (0 when none).

    Each code point is looked up in a table of what it is (other, Han, other letter), and
    the three kinds are counted at once: two regex ``findall`` lists of up to 1,500
    characters each cost more than the rest of the language check.
    """
    sample = text[:SAMPLE_CHARS]
    codes = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), np.uint32)
    kinds = _KIND_OF[np.minimum(codes, len(_KIND_OF) - 1)]
    _, han, other = np.bincount(kinds, minlength=3).tolist()
    letters = han + other
    return han / letters if letters else 0.0


def _kind_table() -> np.ndarray:
    """0 (not a letter), 1 (Han) or 2 (another letter) for each code point up to U+FFFF."""
    kinds = np.zeros(0x10000, np.uint8)  # every range lies below U+FFFF; the last entry is 0
    for low, high in _OTHER_LETTERS:
        kinds[low : high + 1] = 2
    kinds[_HAN[0] : _HAN[1] + 1] = 1
    return kinds


_KIND_OF = _kind_table()


def reads_as_chinese(text: str) -> bool:
    return chinese_share(text) >= MIN_CHINESE_SHARE
