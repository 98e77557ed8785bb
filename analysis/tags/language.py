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
# Japanese writes Han characters too (40-70% of its Han and kana on the labelled Japanese
# pages are kana); Chinese pages carry at most a stray の or ー (under 4%).
MAX_KANA_SHARE = 0.2  # of the Han and kana letters
_HAN = (0x3400, 0x9FFF)
_KANA = (0x3040, 0x30FF)
# Letters besides Han and kana: ASCII, Latin with diacritics, Cyrillic, Hangul (inclusive).
_OTHER_LETTERS = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x400, 0x4FF), (0xAC00, 0xD7AF))
_NOT_LETTER, _HAN_KIND, _KANA_KIND, _OTHER_KIND = range(4)


def chinese_share(text: str) -> float:
    """Share of Han characters among the letters of the text's beginning (0 when none)."""
    han, kana, other = _letter_counts(text)
    letters = han + kana + other
    return han / letters if letters else 0.0


def reads_as_chinese(text: str) -> bool:
    han, kana, other = _letter_counts(text)
    letters = han + kana + other
    if not letters or han / letters < MIN_CHINESE_SHARE:
        return False
    return kana / (han + kana) < MAX_KANA_SHARE


def _letter_counts(text: str) -> tuple[int, int, int]:
    """Han, kana and other letters in the text's beginning.

    Each code point is looked up in a table of what it is and the kinds are counted at
    once: regex ``findall`` lists of up to 1,500 characters each cost more than the rest
    of the language check.
    """
    sample = text[:SAMPLE_CHARS]
    codes = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), np.uint32)
    kinds = _KIND_OF[np.minimum(codes, len(_KIND_OF) - 1)]
    counts = np.bincount(kinds, minlength=4).tolist()
    return counts[_HAN_KIND], counts[_KANA_KIND], counts[_OTHER_KIND]


def _kind_table() -> np.ndarray:
    """The kind of each code point up to U+FFFF (not a letter, Han, kana or another letter)."""
    kinds = np.full(0x10000, _NOT_LETTER, np.uint8)  # the last entry stays "not a letter"
    for low, high in _OTHER_LETTERS:
        kinds[low : high + 1] = _OTHER_KIND
    kinds[_KANA[0] : _KANA[1] + 1] = _KANA_KIND
    kinds[_HAN[0] : _HAN[1] + 1] = _HAN_KIND
    return kinds


_KIND_OF = _kind_table()
