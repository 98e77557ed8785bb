"""The domain sentiment model shipped in ``analysis/sentiment/data``.

``<name>.marshal.gz`` is a SnowNLP ``Bayes`` model (as ``Bayes.save(iszip=True)``
writes it, loadable by ``snownlp.sentiment.Sentiment().load``) and ``<name>.json`` what
``scripts/train_sentiment.py`` recorded with it: the training data, the dev-set
metrics, and ``neutral_negativity``, the calibration that :mod:`.negativity` uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from analysis.sentiment.classifier import BayesClassifier

DATA_PACKAGE = "analysis.sentiment.data"
DOMAIN_MODEL = "domain"


@dataclass(frozen=True)
class ShippedModel:
    name: str
    model_file: Traversable
    info: dict[str, Any]

    @property
    def neutral_negativity(self) -> float:
        """Mean sentence negativity this model gives neutral news (maps to 0.5)."""
        return float(self.info["neutral_negativity"])

    def classifier(self) -> BayesClassifier:
        with resources.as_file(self.model_file) as path:
            return BayesClassifier.from_file(path)


def shipped_model(name: str = DOMAIN_MODEL) -> ShippedModel:
    """The shipped model ``name``; ``FileNotFoundError`` if the package lacks it."""
    folder = resources.files(DATA_PACKAGE)
    model_file = folder.joinpath(f"{name}.marshal.gz")
    info_file = folder.joinpath(f"{name}.json")
    if not model_file.is_file() or not info_file.is_file():
        raise FileNotFoundError(f"sentiment model {name!r} is not installed in {DATA_PACKAGE}")
    return ShippedModel(name, model_file, json.loads(info_file.read_text(encoding="utf-8")))
