"""Measured quality: a labelled development set and the metrics hotwatch is held to."""

from analysis.evaluation.devset import DevsetError, LabelledDocument, load_devset
from analysis.evaluation.run import EvaluationReport, Metric, Miss, evaluate, evaluate_set

__all__ = [
    "DevsetError",
    "EvaluationReport",
    "LabelledDocument",
    "Metric",
    "Miss",
    "evaluate",
    "evaluate_set",
    "load_devset",
]
