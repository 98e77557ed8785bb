"""Train the relevance and damage models shipped in analysis/judgement/data/.

Usage: python scripts/train_judgement.py [--labels FILE] [--report-only]

Reads the DEV split of the real-page set (analysis/evaluation/realpages.py: our labels,
plus ../shared/data/relevance-dev when present, texts from the local page cache) and
never the test split, plus the 145 documents written for unit tests (textbook shapes).
Regularisation and thresholds come from 5-fold cross-validation
grouped by event inside the dev split; the figures printed are those out-of-fold
figures. Evaluate the shipped models on the held-out split with `hotwatch eval --set test`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.evaluation.metrics import roc_auc
from analysis.evaluation.realpages import LabelledPage, load_pages
from analysis.evaluation.training import (
    category_examples,
    damage_examples,
    relevance_examples,
    written_pages,
)
from analysis.judgement.train import f1_at, fit_classes, fit_model

DATA = Path(__file__).resolve().parents[1] / "analysis" / "judgement" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", help="our label file (default: the bundled one)")
    parser.add_argument("--report-only", action="store_true", help="fit and report, write nothing")
    args = parser.parse_args()
    found = load_pages("dev", path=args.labels)
    if not found.pages:
        print(f"no dev pages with cached text in {found.cache_dir}", file=sys.stderr)
        return 1
    pages: list[LabelledPage] = found.pages + written_pages()
    print(
        f"dev pages: {len(found.pages)} real ({found.missing_text} labelled pages lack cached "
        f"text) + {len(pages) - len(found.pages)} written"
    )

    relevance = fit_model("relevance", relevance_examples(pages), threshold_metric=f1_at)
    real = range(len(found.pages))  # out-of-fold figures on the real pages only
    labels = [pages[i].relevant for i in real]
    oof = [relevance.cv_predictions[i] for i in real]
    threshold = relevance.model.threshold
    f1 = f1_at(labels, oof, threshold)
    print(
        f"relevance: C={relevance.c} threshold={threshold} out-of-fold F1={f1:.3f} "
        f"AUC={roc_auc(labels, oof):.3f}"
    )

    damage = fit_model(
        "damage", damage_examples(pages, relevance.cv_predictions), threshold_metric=f1_at
    )
    damaging = [pages[i].damaging for i in real]
    damage_oof = [damage.cv_predictions[i] for i in real]
    print(f"damage: C={damage.c} out-of-fold AUC={roc_auc(damaging, damage_oof):.3f}")

    category, accuracy = fit_classes("category", category_examples(pages))
    print(f"category: C={category.meta['C']} out-of-fold accuracy={accuracy:.3f}")

    if not args.report_only:
        DATA.mkdir(parents=True, exist_ok=True)
        relevance.model.save(DATA / "relevance.json.gz")
        damage.model.save(DATA / "damage.json.gz")
        category.save(DATA / "category.json.gz")
        print(f"wrote relevance, damage and category models to {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
