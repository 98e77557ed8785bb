"""Learned judgement: linear models over character n-grams and rule evidence.

Trained on real pages labelled by reading them (``analysis/evaluation/realpages``)
with ``scripts/train_judgement.py``; shipped as plain JSON so scoring needs only numpy.
"""

from analysis.judgement.linear import LinearTextModel, load_model, model_threshold
from analysis.judgement.ngrams import MODEL_CHARS, model_text, ngram_counts

__all__ = [
    "MODEL_CHARS",
    "LinearTextModel",
    "load_model",
    "model_text",
    "model_threshold",
    "ngram_counts",
]
