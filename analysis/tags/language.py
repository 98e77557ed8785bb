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

    Counted over the code points as an array: two regex ``findall`` lists of up to
    1,500 characters each cost more than the rest of the language check.
    """
    sample = text[:SAMPLE_CHARS]
    codes = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), np.uint32)
    han = _count(codes, *_HAN)
    letters = han + sum(_count(codes, low, high) for low, high in _OTHER_LETTERS)
    return han / letters if letters else 0.0


def _count(codes: np.ndarray, low: int, high: int) -> int:
    return int(np.count_nonzero((codes >= low) & (codes <= high)))


def reads_as_chinese(text: str) -> bool:
    return chinese_share(text) >= MIN_CHINESE_SHARE
