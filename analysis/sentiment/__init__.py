"""Sentiment for hotwatch: SnowNLP's score reproduced exactly and fast, plus document negativity.

* :func:`snownlp_sentiment` / :class:`SentimentModel` — ``SnowNLP(text).sentiments``
  bit for bit (``model.py``), from cached tables (``tables.py``, ``build.py``), a
  batched Viterbi decoder (``decode.py``) and SnowNLP's Bayes sums (``classifier.py``);
  when the extension is built, one compiled call per text does the split, tags, words
  and sums (``sums.py``, ``_viterbi.pyx``).
* :func:`domain_model` — the same segmentation with a SnowNLP classifier trained on
  Weibo posts, shipped in ``data/`` (``shipped.py``; trained by ``train.py`` on
  ``corpus.py`` readers through ``scripts/train_sentiment.py``).
* :func:`score_document` / :func:`score_documents` — a document's SnowNLP sentiment and
  its negativity from one segmentation; :func:`document_negativity` /
  :func:`document_sentiments` / :func:`sentence_scores` — a non-saturating negativity
  in [0, 1] from sentence-level scores, calibrated so 0.5 is neutral (``negativity.py``).
"""

from analysis.sentiment.model import (
    SentimentModel,
    default_model,
    domain_model,
    reset_default_model,
    snownlp_sentiment,
)
from analysis.sentiment.negativity import (
    DocumentScore,
    DocumentSentiment,
    NegativityModel,
    ScoredSentence,
    default_negativity_model,
    document_negativity,
    document_sentiments,
    score_document,
    score_documents,
    sentence_scores,
    snownlp_negativity_model,
    split_sentences,
)
from analysis.sentiment.tables import default_cache_dir

__all__ = [
    "DocumentScore",
    "DocumentSentiment",
    "NegativityModel",
    "ScoredSentence",
    "SentimentModel",
    "default_cache_dir",
    "default_model",
    "default_negativity_model",
    "document_negativity",
    "document_sentiments",
    "domain_model",
    "reset_default_model",
    "score_document",
    "score_documents",
    "sentence_scores",
    "snownlp_negativity_model",
    "snownlp_sentiment",
    "split_sentences",
]
