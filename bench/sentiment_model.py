"""Domain sentiment model vs SnowNLP's bundled one, on the Weibo dev split.

Usage: python bench/sentiment_model.py [--shared ../shared]

Scores the shipped model (``analysis/sentiment/data/domain.marshal.gz``) and SnowNLP's
bundled model on the dev side of the split recorded with it (same seed and fraction as
``scripts/train_sentiment.py``; the shipped model was trained on the train side only),
and on the hand-written hotline sentences of ``analysis/sentiment/probes.py``. Also
prints the model file's size and how long loading it takes. Without the shared data
it says so and exits 0 (the probe sentences and load time are still shown).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from analysis.sentiment.corpus import read_corpus, stratified_split
from analysis.sentiment.model import SentimentModel, default_model, domain_model
from analysis.sentiment.negativity import default_negativity_model, snownlp_negativity_model
from analysis.sentiment.probes import hotline_probes
from analysis.sentiment.shipped import shipped_model
from analysis.sentiment.train import Metrics, evaluate, roc_auc

LOAD_REPEATS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    args = parser.parse_args()
    shipped = shipped_model()
    size = len(shipped.model_file.read_bytes())
    loads = []
    for _ in range(LOAD_REPEATS):
        start = time.perf_counter()
        classifier = shipped.classifier()
        loads.append(time.perf_counter() - start)
    print(
        f"shipped model {shipped.name!r} ({shipped.info['candidate']}): {size / 1024:.1f} KiB, "
        f"{classifier.vocabulary_size:,} words; load {statistics.median(loads) * 1000:.0f} ms "
        f"(median of {LOAD_REPEATS}); neutral level {shipped.neutral_negativity:.4f}"
    )
    models = {"snownlp (bundled)": default_model(), "domain (shipped)": domain_model()}

    folder = args.shared / "data" / "sentiment"
    if (folder / "weibo-emotion-dev.csv").exists():
        split = stratified_split(
            read_corpus(folder, "weibo"), shipped.info["dev_fraction"], shipped.info["seed"]
        )
        print_table(
            f"Weibo dev split (seed {shipped.info['seed']})",
            {name: evaluate(model, split.dev) for name, model in models.items()},
        )
    else:
        print(f"no Weibo data under {folder}: dev accuracy/AUC need ../shared (skipped)")
    probe_report(models)


def print_table(title: str, results: dict[str, Metrics]) -> None:
    print(f"{title}:")
    print(f"  {'model':<20} {'n':>6} {'accuracy':>9} {'ROC AUC':>8}")
    for name, m in results.items():
        print(f"  {name:<20} {m.n:>6} {m.accuracy:>9.3f} {m.auc:>8.3f}")


def probe_report(models: dict[str, SentimentModel]) -> None:
    """Raw scores, and calibrated sentence negativity (> 0.5 = complaint), on the probes."""
    probes = hotline_probes()
    complaint = [not row.positive for row in probes]
    calibrated = {
        "snownlp (bundled)": snownlp_negativity_model(),
        "domain (shipped)": default_negativity_model(),
    }
    print(
        f"hotline probes ({sum(complaint)} complaints vs {len(probes) - sum(complaint)} official):"
    )
    for name, model in models.items():
        raw = evaluate(model, probes)
        negativity_model = calibrated[name]
        negativity = [
            negativity_model.calibrate(1 - s) for s in model.score_many([r.text for r in probes])
        ]
        hits = sum((n > 0.5) is c for n, c in zip(negativity, complaint, strict=True))
        auc = roc_auc(negativity, complaint)
        print(
            f"  {name:<20} AUC {auc:.3f}, accuracy raw {raw.accuracy:.3f}"
            f", calibrated {hits / len(probes):.3f}"
        )


if __name__ == "__main__":
    main()
