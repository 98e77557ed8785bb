"""Document negativity in [0, 1] from sentence-level SnowNLP scores.

SnowNLP's score of a whole long text saturates (it is exactly 0.0 for 96% of texts
over 1,000 characters): its naive Bayes log-odds grow with every word. Here each
sentence is scored on its own and the document is a weighted mean, which stays
bounded away from 0 and 1 however long the text is:

1. Split the body into sentences after 。！？!?；; (a closing quote after them stays
   with the sentence) and at line breaks; strip delimiters and outer quotes.
2. Skip sentences with fewer than ``MIN_HAN`` Chinese characters and boilerplate
   (source/editor lines, copyright, "scan the QR code", ...). The title is kept
   if it has at least ``MIN_TITLE_HAN``.
3. Sentence negativity = 1 - SnowNLP score. Weights: title ``TITLE_WEIGHT``,
   body sentence 1, a sentence inside “…” quotes ``QUOTE_WEIGHT`` (reported speech
   still matters in complaint stories, but it is the speaker's view, not the
   article's).
4. Weighted mean, with a pseudo-sentence of weight ``PRIOR_WEIGHT`` at the neutral
   level so short texts lean towards neutral and an empty one is exactly neutral.
5. Calibrate: SnowNLP (trained on product reviews) calls formal news fairly positive;
   the mean sentence negativity of neutral news (``NEUTRAL_RAW``, measured on the 38
   CWCED development pages, 4,689 sentences: 0.297) maps to 0.5, 0 to 0 and 1 to 1,
   linearly in between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.sentiment.model import SentimentModel, default_model

MIN_HAN = 4
MIN_TITLE_HAN = 2
TITLE_WEIGHT = 3.0
QUOTE_WEIGHT = 0.7
PRIOR_WEIGHT = 1.0
NEUTRAL_RAW = 0.30

SENTENCE = re.compile(r"[^。！？!?；;\r\n]+(?:[。！？!?；;]+[”’」』\"')）]*)?")
OPEN_QUOTES = ("“", "「", "『")
CLOSE_QUOTES = ("”", "」", "』")
TRIM = " \t\r\n\u3000。！？!?；;“”「」『』‘’\"'"
HAN = re.compile("[\u4e00-\u9fa5]")
BOILERPLATE = re.compile(
    r"^\s*[(（【\[]?\s*(来源|稿源|责任编辑|编辑|责编|校对|审核|审校|监制|作者|记者|通讯员|原标题"
    r"|图片来源|图源|图|文|摄影|供图)\s*[:：|｜]"
    r"|版权所有|未经授权|转载请|禁止转载|免责声明|扫码|二维码|点击(查看|阅读|进入|下载)"
    r"|关注(我们|公众号|微信)|更多.{0,8}(资讯|新闻)请|推荐阅读|相关阅读|文章插图|Copyright|©",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence kept for the document score: SnowNLP score and weight."""

    text: str
    score: float  # SnowNLP probability of positive, as ``snownlp_sentiment(text)``
    weight: float

    @property
    def negativity(self) -> float:
        return 1.0 - self.score


@dataclass(frozen=True)
class DocumentSentiment:
    negativity: float  # calibrated, 0.5 = neutral
    sentences: list[ScoredSentence]  # the title first (if kept), then body sentences


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that count: delimiters and outer quotes stripped,
    fewer than ``MIN_HAN`` Chinese characters or boilerplate dropped."""
    return [sentence for sentence, _ in body_sentences(text)]


def body_sentences(text: str) -> list[tuple[str, bool]]:
    """(sentence, inside quotes) for each sentence that counts, in order."""
    kept = []
    depth = 0  # quotes opened and not yet closed before the current sentence
    for match in SENTENCE.finditer(text):
        raw = match.group()
        quoted = depth > 0 or any(q in raw for q in OPEN_QUOTES)
        depth = max(0, depth + sum(map(raw.count, OPEN_QUOTES)) - sum(map(raw.count, CLOSE_QUOTES)))
        sentence = raw.strip(TRIM)
        if substantive(sentence, MIN_HAN):
            kept.append((sentence, quoted))
    return kept


def substantive(sentence: str, min_han: int) -> bool:
    return len(HAN.findall(sentence)) >= min_han and not BOILERPLATE.search(sentence)


def sentence_scores(text: str, model: SentimentModel | None = None) -> list[tuple[str, float]]:
    """Each sentence of :func:`split_sentences` with its SnowNLP score."""
    sentences = split_sentences(text)
    return list(zip(sentences, (model or default_model()).score_many(sentences), strict=True))


def document_negativity(title: str, text: str, model: SentimentModel | None = None) -> float:
    """Negativity of an article in [0, 1]; 0.5 is neutral. See the module docstring."""
    return document_sentiments([(title, text)], model)[0].negativity


def document_sentiments(
    documents: Sequence[tuple[str, str]], model: SentimentModel | None = None
) -> list[DocumentSentiment]:
    """:func:`document_negativity` with its sentences, for many (title, text) at once."""
    weighted = [weighted_sentences(title, text) for title, text in documents]
    flat = [sentence for sentences in weighted for sentence, _ in sentences]
    scores = iter((model or default_model()).score_many(flat))
    results = []
    for sentences in weighted:
        scored = [ScoredSentence(s, next(scores), w) for s, w in sentences]
        results.append(DocumentSentiment(aggregate(scored), scored))
    return results


def weighted_sentences(title: str, text: str) -> list[tuple[str, float]]:
    """The sentences that count, with their weights; the title first."""
    title = title.strip(TRIM)
    kept = [(title, TITLE_WEIGHT)] if substantive(title, MIN_TITLE_HAN) else []
    kept += [(s, QUOTE_WEIGHT if quoted else 1.0) for s, quoted in body_sentences(text)]
    return kept


def aggregate(sentences: Sequence[ScoredSentence]) -> float:
    """Weighted mean negativity with a neutral prior, then calibrated."""
    total = PRIOR_WEIGHT * NEUTRAL_RAW + sum(s.weight * s.negativity for s in sentences)
    raw = total / (PRIOR_WEIGHT + sum(s.weight for s in sentences))
    return calibrate(raw)


def calibrate(raw: float) -> float:
    """Piecewise-linear map sending ``NEUTRAL_RAW`` to 0.5 (and 0 to 0, 1 to 1)."""
    raw = min(1.0, max(0.0, raw))
    if raw <= NEUTRAL_RAW:
        return 0.5 * (raw / NEUTRAL_RAW)
    return 0.5 + 0.5 * (raw - NEUTRAL_RAW) / (1.0 - NEUTRAL_RAW)
