"""What needs no configuration: the starter file, and the evaluation on the labelled set."""

from __future__ import annotations

from pathlib import Path

from analysis.evaluation import EvaluationReport
from analysis.evaluation.real import evaluate_real_pages
from hotwatch.config import CONFIG_FILENAME, ConfigError, default_config_text


def write_config(path: str | Path = CONFIG_FILENAME, *, force: bool = False) -> Path:
    """Write the commented starter configuration to ``path`` (``force``: overwrite)."""
    target = Path(path)
    if target.exists() and not force:
        raise ConfigError(f"{target} exists (use --force to overwrite)")
    target.write_text(default_config_text(), encoding="utf-8")
    return target


def evaluate(path: str | Path | None = None, *, subset: str = "test") -> EvaluationReport:
    """Score relevance, category, province, incidents and damage on the real-page set
    (default: the bundled labels; texts from the local page cache) beside the keyword
    and SnowNLP baselines; raises ``RealPagesError`` on a broken label file."""
    return evaluate_real_pages(subset, path=str(path) if path else None)
