"""Is a page written in Chinese? hotwatch judges Chinese-language pages only.

Its relevance, category and damage models read Chinese character n-grams and were
trained on Chinese pages; on English pages they rank no better than chance (dev
pages, out of fold: AUC 0.44), so a page in another language is set aside with a
reason instead of being judged.
"""

from __future__ import annotations

import re

SAMPLE_CHARS = 1500
MIN_CHINESE_SHARE = 0.2  # of the letters in the page's beginning (menus in English are common)
_HAN = re.compile(r"[\u3400-\u9fff]")
_LETTER = re.compile(r"[\u3400-\u9fffA-Za-z\u00c0-\u024f\u0400-\u04ff\uac00-\ud7af\u3040-\u30ff]")


def chinese_share(text: str) -> float:
    """Share of Han characters among the letters of the text's beginning (0 when none)."""
    sample = text[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    return len(_HAN.findall(sample)) / letters if letters else 0.0


def reads_as_chinese(text: str) -> bool:
    return chinese_share(text) >= MIN_CHINESE_SHARE
