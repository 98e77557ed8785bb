"""What needs no configuration: the starter file, and the evaluation on the labelled set."""

from __future__ import annotations

from pathlib import Path

from analysis.evaluation import EvaluationReport, evaluate_set
from hotwatch.config import CONFIG_FILENAME, ConfigError, default_config_text


def write_config(path: str | Path = CONFIG_FILENAME, *, force: bool = False) -> Path:
    """Write the commented starter configuration to ``path`` (``force``: overwrite)."""
    target = Path(path)
    if target.exists() and not force:
        raise ConfigError(f"{target} exists (use --force to overwrite)")
    target.write_text(default_config_text(), encoding="utf-8")
    return target


def evaluate(path: str | Path | None = None, *, subset: str = "dev") -> EvaluationReport:
    """Score relevance, tags and incidents on the labelled set (default: the bundled one)
    beside a plain keyword baseline; raises ``DevsetError`` on a broken set."""
    return evaluate_set(path, subset=subset)
