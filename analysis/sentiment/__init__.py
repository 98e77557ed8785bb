"""Sentiment for hotwatch: SnowNLP's score reproduced exactly and fast, plus document negativity.

* :func:`snownlp_sentiment` / :class:`SentimentModel` — ``SnowNLP(text).sentiments``
  bit for bit (``model.py``), from cached tables (``tables.py``, ``build.py``) and a
  batched Viterbi decoder (``decode.py``).
* :func:`document_negativity` / :func:`document_sentiments` (batch, with the scored
  sentences) / :func:`sentence_scores` — a non-saturating negativity in [0, 1] from
  sentence-level scores (``negativity.py``).
"""

from analysis.sentiment.model import (
    SentimentModel,
    default_model,
    reset_default_model,
    snownlp_sentiment,
)
from analysis.sentiment.negativity import (
    DocumentSentiment,
    ScoredSentence,
    document_negativity,
    document_sentiments,
    sentence_scores,
    split_sentences,
)
from analysis.sentiment.tables import default_cache_dir

__all__ = [
    "DocumentSentiment",
    "ScoredSentence",
    "SentimentModel",
    "default_cache_dir",
    "default_model",
    "document_negativity",
    "document_sentiments",
    "reset_default_model",
    "sentence_scores",
    "snownlp_sentiment",
    "split_sentences",
]
