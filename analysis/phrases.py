"""Meaningful phrases of Chinese text: segmented words joined into cohesive n-grams.

Words come from a segmenter (jieba by default). Every run of adjacent words
between punctuation yields candidate n-grams (1 to ``max_words`` words) whose
first and last words are neither stop words nor generic words of hotline news
(热线, 市民, 反映 ...); generic words may sit inside a phrase.
Across a corpus, a multi-word candidate becomes a phrase only when it is
*cohesive*: it holds most occurrences of its rarest word (``min_cohesion``) and
its words meet far more often than chance (pointwise mutual information per
join, ``min_pmi``). This also mends segmenter fragments: ``接线 员`` → ``接线员``.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

Gram = tuple[str, ...]
Segmenter = Callable[[str], list[str]]

_WORD = re.compile(r"^(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+)$")
_DIGITS = re.compile(r"^[0-9]+$")

STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 被 把 将 对 向 从 为 于 以 由 给 让 也 都 就 还 又 而 但 并 "
    "之 其 这 那 个 一 上 下 中 后 前 里 内 外 等 着 过 吗 呢 吧 啊 有 无 不 没 很 更 最 "
    "已 再 才 只 该 要 会 能 可 说 称 到 去 来 个 次 名 位 年 月 日 时 天 分 元 多 少 "
    "我 你 他 她 它 我们 你们 他们 她们 大家 自己 什么 怎么 如何 为何 这个 那个 这些 "
    "那些 一个 一些 没有 可以 已经 因为 所以 如果 但是 而且 并且 以及 或者 还是 就是 "
    "不是 这样 那样 如此 其中 之后 之前 以来 目前 当时 当天 今天 昨天 近日 日前 此前 "
    "随后 同时 此外 另外 进行 通过 对于 关于 根据 按照 其他 各种".split()
)
"""Function words: never the first or last word of a phrase."""

GENERIC_WORDS = frozenset(
    "热线 12345 市长 市长热线 便民 服务 服务热线 工作 工作人员 群众 市民 居民 记者 "
    "反映 问题 表示 相关 部门 情况 拨打 来电 诉求 回复 回应 处理 介绍 了解 发现 "
    "希望 需要 要求 负责人 有关 方面 政府 单位 中心 平台 事情 时间 今年 去年 网友 "
    "报道 新闻 消息 视频 图片 来源 编辑 责任编辑 原标题 发布 显示 一名 一位 目前 "
    "网上 网络 官方 此事 事件 该市 当地 本报 客户端".split()
)
"""Words found in nearly every hotline story: they never trend on their own."""


@dataclass(frozen=True)
class PhraseOptions:
    """How phrases are found; built once by the caller and passed down."""

    max_words: int = 3
    max_chars: int = 10
    min_df: int = 2
    min_cohesion: float = 0.5
    min_pmi: float = 0.5

    def __post_init__(self) -> None:
        if self.max_words < 1 or self.max_chars < 2 or self.min_df < 1:
            raise ValueError("max_words >= 1, max_chars >= 2 and min_df >= 1 are required")
        if not 0.0 <= self.min_cohesion <= 1.0:
            raise ValueError(f"min_cohesion must be within [0, 1], not {self.min_cohesion}")


@cache
def default_segmenter() -> Segmenter:
    """jieba's precise mode, dictionary loaded once (about a second) on first use."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer.lcut


def reset_segmenter() -> None:
    """Forget the loaded segmenter (frees its dictionary)."""
    default_segmenter.cache_clear()


def word_runs(text: str, segment: Segmenter) -> list[list[str]]:
    """Runs of adjacent words; punctuation, spaces and symbols end a run."""
    runs: list[list[str]] = [[]]
    for token in segment(text):
        if _WORD.match(token):
            runs[-1].append(token.lower())
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def candidate_grams(runs: Iterable[Sequence[str]], options: PhraseOptions) -> set[Gram]:
    """Every n-gram of a text that could be a phrase (no stop or generic word at either end)."""
    found: set[Gram] = set()
    for run in runs:
        weak = [_weak(word) for word in run]
        for start in range(len(run)):
            if weak[start]:
                continue
            chars = 0
            for end in range(start, min(start + options.max_words, len(run))):
                chars += len(run[end])
                if chars > options.max_chars:
                    break
                if chars >= 2 and not weak[end]:
                    found.add(tuple(run[start : end + 1]))
    return found


def label(gram: Gram) -> str:
    """The phrase as written: words joined, with a space only between two Latin/digit words."""
    out = gram[0]
    for previous, word in zip(gram, gram[1:], strict=False):
        out += (" " if previous[-1].isascii() and word[0].isascii() else "") + word
    return out


class PhraseTable:
    """Document frequencies of words and candidate grams over a corpus; picks the phrases."""

    def __init__(self, options: PhraseOptions) -> None:
        self.options = options
        self.documents = 0
        self.word_df: Counter[str] = Counter()
        self.gram_df: Counter[Gram] = Counter()

    def add(self, runs: Sequence[Sequence[str]]) -> set[Gram]:
        """Count one document; returns its candidate grams."""
        grams = candidate_grams(runs, self.options)
        self.documents += 1
        self.word_df.update({word for run in runs for word in run})
        self.gram_df.update(grams)
        return grams

    def is_phrase(self, gram: Gram) -> bool:
        df = self.gram_df[gram]
        if df < self.options.min_df:
            return False
        if len(gram) == 1:
            return True
        rarest = min(self.word_df[word] for word in gram)
        return df / rarest >= self.options.min_cohesion and self.pmi(gram) >= self.options.min_pmi

    def pmi(self, gram: Gram) -> float:
        """Pointwise mutual information (natural log) per join, from document frequencies."""
        n = self.documents
        joint = math.log(self.gram_df[gram] / n)
        alone = sum(math.log(self.word_df[word] / n) for word in gram)
        return (joint - alone) / (len(gram) - 1)


def _weak(word: str) -> bool:
    """Cannot start or end a phrase."""
    return word in STOPWORDS or word in GENERIC_WORDS or bool(_DIGITS.match(word))

