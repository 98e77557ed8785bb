"""Train the domain sentiment model shipped in analysis/sentiment/data/ (reproducibly).

Usage: python scripts/train_sentiment.py [--shared ../shared] [--seed 2026]
                                         [--dev-fraction 0.2] [--check]

1. Weibo polarity posts (``shared/data/sentiment/weibo-emotion-dev.csv``, surprise =
   no polarity, skipped) are split 80/20, stratified by polarity, with a fixed seed.
2. Candidates are trained with SnowNLP's own ``Sentiment().train`` (same Bayes model,
   segmentation and stop words): ``weibo`` on the Weibo train split, and
   ``weibo+reviews`` on it plus all hotel and food-delivery reviews.
3. SnowNLP's bundled model and each candidate are scored on the Weibo dev split
   (accuracy at 0.5 and ROC AUC); the best dev AUC is shipped, as trained on the train
   split (so the dev numbers describe the shipped file).
4. Calibration: its weighted mean sentence negativity on the CWCED development news
   pages (``shared/data/extraction/cwced-dev/cleaned``) is ``neutral_negativity``.
5. Hand-written hotline sentences (``analysis/sentiment/probes.py``) are scored by
   every model, raw (P(positive) < 0.5 = complaint) and, for the calibrated sentence
   negativity, at the shipped model's neutral level.

Writes ``domain.marshal.gz`` (SnowNLP's gzip'd marshal format) and ``domain.json``
(what was measured, and the calibration). ``--check`` writes nothing and exits 1 if
retraining does not reproduce the shipped files' content.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from analysis.sentiment.classifier import BayesClassifier, read_marshal
from analysis.sentiment.corpus import LabelledText, read_corpus, stratified_split
from analysis.sentiment.model import SentimentModel, default_model
from analysis.sentiment.negativity import NegativityModel, neutral_level
from analysis.sentiment.probes import hotline_probes
from analysis.sentiment.shipped import DOMAIN_MODEL
from analysis.sentiment.tables import snownlp_version
from analysis.sentiment.train import Metrics, evaluate, roc_auc, train_counts, write_model

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "analysis" / "sentiment" / "data"
CANDIDATES = {"weibo": ("weibo",), "weibo+reviews": ("weibo", "hotel", "waimai")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dev-fraction", type=float, default=0.2)
    parser.add_argument("--check", action="store_true", help="compare with the shipped files")
    args = parser.parse_args()
    folder = args.shared / "data" / "sentiment"
    news = sorted((args.shared / "data" / "extraction" / "cwced-dev" / "cleaned").glob("*.txt"))
    if not (folder / "weibo-emotion-dev.csv").exists() or not news:
        print(f"error: training data not found under {args.shared}", file=sys.stderr)
        return 2

    corpora = {name: read_corpus(folder, name) for name in ("weibo", "hotel", "waimai")}
    split = stratified_split(corpora["weibo"], args.dev_fraction, args.seed)
    print(
        f"weibo: {describe(corpora['weibo'])} -> train {describe(split.train)}, "
        f"dev {describe(split.dev)} (seed {args.seed})"
    )
    snownlp = default_model()
    models: dict[str, SentimentModel] = {"snownlp (bundled)": snownlp}
    counts: dict[str, dict[str, Any]] = {}
    for name, sources in CANDIDATES.items():
        rows = split.train + [row for source in sources[1:] for row in corpora[source]]
        start = time.perf_counter()
        counts[name] = train_counts(rows, snownlp)
        models[name] = snownlp.with_classifier(BayesClassifier.from_counts(counts[name]))
        print(f"trained {name} on {describe(rows)} in {time.perf_counter() - start:.1f} s")

    dev = {name: evaluate(model, split.dev) for name, model in models.items()}
    print_table("Weibo dev split", dev)
    chosen = max(CANDIDATES, key=lambda name: dev[name].auc)
    print(f"chosen by dev AUC: {chosen}")

    texts = [path.read_text(encoding="utf-8", errors="replace") for path in news]
    neutral = {name: neutral_level(texts, model) for name, model in models.items()}
    print("mean sentence negativity on the CWCED news pages (the neutral level):")
    for name, value in neutral.items():
        print(f"  {name:<20} {value:.4f}")
    probes = probe_report(models, neutral)

    info = {
        "candidate": chosen,
        "corpora": list(CANDIDATES[chosen]),
        "seed": args.seed,
        "dev_fraction": args.dev_fraction,
        "snownlp_version": snownlp_version(),
        "vocabulary": models[chosen].classifier.vocabulary_size,
        "dev": {name: metrics_dict(m) for name, m in dev.items()},
        "hotline_probes": probes,
        "neutral_negativity": neutral[chosen],
        "neutral_source": f"{len(texts)} CWCED development pages",
    }
    return check(counts[chosen], info) if args.check else write(counts[chosen], info)


def describe(rows: list[LabelledText]) -> str:
    positive = sum(row.positive for row in rows)
    return f"{len(rows)} texts ({positive} pos / {len(rows) - positive} neg)"


def print_table(title: str, results: dict[str, Metrics]) -> None:
    print(f"{title}:")
    print(f"  {'model':<20} {'n':>6} {'accuracy':>9} {'ROC AUC':>8}")
    for name, m in results.items():
        print(f"  {name:<20} {m.n:>6} {m.accuracy:>9.3f} {m.auc:>8.3f}")


def metrics_dict(metrics: Metrics) -> dict[str, float]:
    return {"n": metrics.n, "accuracy": metrics.accuracy, "auc": metrics.auc}


def probe_report(models: dict[str, SentimentModel], neutral: dict[str, float]) -> dict[str, Any]:
    """Each model on the hand-written hotline sentences: raw, and calibrated sentence
    negativity (> 0.5 = complaint) at its own neutral level."""
    probes = hotline_probes()
    complaint = [not row.positive for row in probes]
    print(f"hotline probes ({sum(complaint)} complaints, {len(probes) - sum(complaint)} official):")
    print(
        f"  {'model':<20} {'AUC':>6} {'raw acc':>8} {'calib acc':>9} "
        f"{'neg: complaints':>16} {'official':>9}"
    )
    report = {}
    for name, model in models.items():
        calibration = NegativityModel(model, neutral[name])
        negativity = [
            calibration.calibrate(1 - s) for s in model.score_many([r.text for r in probes])
        ]
        raw = evaluate(model, probes)
        calibrated = sum((n > 0.5) is c for n, c in zip(negativity, complaint, strict=True))
        mean_complaint = sum(n for n, c in zip(negativity, complaint, strict=True) if c) / 20
        mean_official = sum(n for n, c in zip(negativity, complaint, strict=True) if not c) / 20
        report[name] = {
            "auc": roc_auc(negativity, complaint),
            "accuracy_raw": raw.accuracy,
            "accuracy_calibrated": calibrated / len(probes),
            "mean_negativity_complaints": mean_complaint,
            "mean_negativity_official": mean_official,
        }
        print(
            f"  {name:<20} {report[name]['auc']:>6.3f} {raw.accuracy:>8.3f} "
            f"{calibrated / len(probes):>9.3f} {mean_complaint:>16.3f} {mean_official:>9.3f}"
        )
    return report


def write(counts: dict[str, Any], info: dict[str, Any]) -> int:
    model_path = OUT_DIR / f"{DOMAIN_MODEL}.marshal.gz"
    size = write_model(counts, model_path)
    info["sha256"] = hashlib.sha256(model_path.read_bytes()).hexdigest()
    (OUT_DIR / f"{DOMAIN_MODEL}.json").write_text(
        json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {model_path} ({size / 1024:.1f} KiB) and {DOMAIN_MODEL}.json")
    return 0


def check(counts: dict[str, Any], info: dict[str, Any]) -> int:
    model_path = OUT_DIR / f"{DOMAIN_MODEL}.marshal.gz"
    shipped = json.loads((OUT_DIR / f"{DOMAIN_MODEL}.json").read_text(encoding="utf-8"))
    shipped.pop("sha256", None)
    same_model = read_marshal(model_path) == counts
    same_info = shipped == info
    print(f"shipped model reproduced: {same_model}; shipped metadata reproduced: {same_info}")
    return 0 if same_model and same_info else 1


if __name__ == "__main__":
    sys.exit(main())
