"""Dev figures with whole labeller files held out, beside the usual event-grouped folds.

Usage: python scripts/heldout_groups.py [--labels FILE] [--prevalence 0.17] [--only PART]

Reads the DEV split of the real-page set only (never the test split). Each labeller
(lab-a, lab-b, ...; the shared set counts as one) collected pages with their own
queries, and the share of relevant pages runs from 0% to 60% between them, so holding
out whole files asks what the test split asks: how the judgement holds on pages found
by searches it never saw. Two protocols, five folds each:

- event: folds grouped by event, as ``scripts/train_judgement.py`` reports;
- labeller: folds grouped by labeller file (an event read by several labellers goes
  with the first that read it; the written pages keep their own groups).

Relevance: out-of-fold AUC; F1 gated as in production with the threshold chosen on all
out-of-fold scores (as the shipped threshold is) and with each fold's threshold chosen
on the other folds only; the folds' F1 range; and the F1 expected where relevant pages
are rarer (``--prevalence``, from the recall and false-positive rate). Category:
out-of-fold accuracy. Relevance through events: the pages placed into incidents together as
a store places them (each judged at its fold's threshold; those under it may join an
incident of relevant reports, ``analysis.relevance.event_routes``): relevance F1 and
incident pairwise F1 end to end, without and with that joining. Province (rules, nothing
fitted, but written seeing dev pages):
accuracy by labeller file and on the pages read as not relevant, which the rules were
not checked against.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from train_judgement import passes_gate

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.evaluation.metrics import (
    f1_at_prevalence,
    pairwise_prf,
    precision_recall_f1,
    roc_auc,
)
from analysis.evaluation.real import page_features
from analysis.evaluation.realpages import LabelledPage, load_labels, load_pages
from analysis.evaluation.training import category_examples, relevance_examples, written_pages
from analysis.incidents import assign_incidents
from analysis.judgement.examples import ClassExample, TrainingExample
from analysis.judgement.train import (
    FOLDS,
    class_cv_predictions,
    f1_at,
    fit_classes,
    fit_model,
    steady_threshold,
)
from analysis.model import Article
from analysis.relevance import event_routes, may_report
from analysis.tags import categories as rule_categories
from analysis.tags.gazetteer import short_province
from analysis.tags.language import reads_as_chinese
from analysis.tags.regions import regions

PROTOCOLS = ("event", "labeller")
E = TypeVar("E", TrainingExample, ClassExample)
Grouping = Callable[[LabelledPage], str]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", help="our label file (default: the bundled one)")
    parser.add_argument(
        "--prevalence", type=float, default=0.17, help="share of relevant pages to project F1 to"
    )
    parser.add_argument(
        "--only", choices=("relevance", "category", "province"), help="one part's figures"
    )
    args = parser.parse_args()
    found = load_pages("dev", path=args.labels)
    chinese = [p for p in found.pages if reads_as_chinese(f"{p.title}\n{p.text}")]
    if not chinese:
        print(f"no dev pages with cached text in {found.cache_dir}", file=sys.stderr)
        return 1
    labeller = {r["id"]: r.get("labeller") or r["origin"] for r in load_labels(args.labels)}
    files = labeller_groups(chinese, labeller)
    relevant = sum(p.relevant for p in chinese)
    print(
        f"dev pages: {len(chinese)} in Chinese, {relevant} relevant "
        f"({relevant / len(chinese):.0%}), from {len(set(files.values()))} labeller files"
    )
    if args.only in (None, "province"):
        _provinces(chinese, labeller)
    written = written_pages()
    for protocol in PROTOCOLS:
        group: Grouping = (
            (lambda p: files[p.id]) if protocol == "labeller" else (lambda p: p.incident or p.id)
        )
        judged = None
        if args.only in (None, "relevance"):
            judged = _relevance(protocol, chinese, written, group, args.prevalence)
        if args.only in (None, "category"):
            _category(protocol, chinese, written, group, judged)
    return 0


def labeller_groups(pages: list[LabelledPage], labeller: dict[str, str]) -> dict[str, str]:
    """Page id -> the labeller file its event is held out with (the event's first reader)."""
    first: dict[str, str] = {}
    for page in pages:
        first.setdefault(page.incident or page.id, labeller[page.id])
    return {page.id: first[page.incident or page.id] for page in pages}


def _regrouped(examples: list[E], pages: list[LabelledPage], group: Grouping) -> list[E]:
    """The examples of ``pages`` under ``group``; the written pages after them keep theirs."""
    mine = [replace(e, group=group(p)) for e, p in zip(examples, pages, strict=False)]
    return mine + examples[len(pages) :]


def _relevance(
    protocol: str,
    chinese: list[LabelledPage],
    written: list[LabelledPage],
    group: Grouping,
    prevalence: float,
) -> dict[str, bool]:
    """Prints the figures; returns whether each page's category is the model's (the page
    judged relevant, or scored near enough: ``may_report``), each fold's threshold from
    the others."""
    examples = [replace(e, evidence={}) for e in relevance_examples(chinese + written)]
    examples = _regrouped(examples, chinese, group)
    report = fit_model("relevance", examples, threshold_metric=f1_at)
    real = range(len(chinese))
    labels = [chinese[i].relevant for i in real]
    scores = [report.cv_predictions[i] for i in real]
    decided = [s if passes_gate(p) else 0.0 for s, p in zip(scores, chinese, strict=True)]
    shipped = steady_threshold(labels, decided, f1_at)
    fold = _folds(examples)
    crossed, thresholds, per_fold = [], [], []
    for k in range(FOLDS):
        others = [i for i in real if fold[i] != k]
        mine = [i for i in real if fold[i] == k]
        t = steady_threshold([labels[i] for i in others], [decided[i] for i in others], f1_at)
        thresholds.append(t)
        crossed += [(labels[i], decided[i] >= t) for i in mine]
        per_fold.append(f1_at([labels[i] for i in mine], [decided[i] for i in mine], t))
    projected = f1_at_prevalence([g for g, _ in crossed], [p for _, p in crossed], prevalence)
    events = _through_events(chinese, decided, [thresholds[fold[i]] for i in real], prevalence)
    print(
        f"[{protocol}] relevance: C={report.c} AUC {roc_auc(labels, scores):.3f}; "
        f"F1 {f1_at(labels, decided, shipped):.3f} at {shipped} chosen on all folds; "
        f"{_f1(crossed):.3f} with each fold's threshold from the others "
        f"({min(thresholds)}-{max(thresholds)}; folds {min(per_fold):.2f}-{max(per_fold):.2f}); "
        f"expected at {prevalence:.0%} relevant: {projected:.3f}"
    )
    print(f"[{protocol}] relevance through events, each fold's threshold from the others: {events}")
    return {
        page.id: decided[i] >= thresholds[fold[i]]
        or may_report(scores[i], threshold=thresholds[fold[i]])
        for i, page in enumerate(chinese)
    }


def _through_events(
    pages: list[LabelledPage], scores: list[float], thresholds: list[float], prevalence: float
) -> str:
    """Relevance F1 (and projected) and incident pairwise F1 end to end, placing the pages
    together as a store does, without and with pages under the threshold joining events."""
    options = AnalysisOptions()
    analyses = [analyse_article(Article(p.title, p.text), options) for p in pages]
    gold = [p.relevant for p in pages]
    events = [p.incident if p.relevant else None for p in pages]
    shown = []
    for joining in (False, True):
        docs = []
        for page, analysis, score, t in zip(pages, analyses, scores, thresholds, strict=True):
            judged = score >= t
            joins = event_routes(judged, score, analysis.reasons, threshold=t) if joining else ()
            docs.append(
                replace(page_features(page, analysis), relevant=judged, joins=joins)
            )
        placed = assign_incidents(docs)
        final = [d.relevant or i is not None for d, i in zip(docs, placed, strict=True)]
        relevance = precision_recall_f1(gold, final)
        pairs = pairwise_prf(events, placed)
        joined = [i for i, d in enumerate(docs) if final[i] and not d.relevant]
        shown.append(
            f"{'joining' if joining else 'alone'}: relevance P {relevance.precision:.3f} "
            f"R {relevance.recall:.3f} F1 {relevance.f1:.3f} "
            f"({f1_at_prevalence(gold, final, prevalence):.3f} at {prevalence:.0%}), "
            f"incidents P {pairs.precision:.3f} R {pairs.recall:.3f} F1 {pairs.f1:.3f}"
            + (f", {len(joined)} pages joined ({sum(gold[i] for i in joined)} read relevant)")
        )
    return "; ".join(shown)


def _category(
    protocol: str,
    chinese: list[LabelledPage],
    written: list[LabelledPage],
    group: Grouping,
    modelled: dict[str, bool] | None,
) -> None:
    """The model's out-of-fold accuracy; with ``modelled`` (from the relevance part) also
    the category production names for every page read relevant: the model's where
    ``modelled``, the rules' strongest (``other`` when none) elsewhere."""
    relevant = [p for p in chinese if p.relevant and p.category]
    examples = [replace(e, evidence={}) for e in category_examples(relevant + written)]
    examples = _regrouped(examples, relevant, group)
    model, accuracy = fit_classes("category", examples, scored=len(relevant))
    shown = ""
    if modelled is not None:
        predicted = class_cv_predictions(examples, model.meta["C"])
        named = [
            predicted[i] if modelled[page.id] else _rules_category(page)
            for i, page in enumerate(relevant)
        ]
        right = sum(n == p.category for n, p in zip(named, relevant, strict=True))
        shown = f"; as production names it {right / len(relevant):.3f}"
    print(
        f"[{protocol}] category: C={model.meta['C']} accuracy {accuracy:.3f} "
        f"on the {len(relevant)} real pages{shown}"
    )


def _rules_category(page: LabelledPage) -> str:
    found = rule_categories(page.text, title=page.title)
    return "other" if not found or found[0] == "no_resolution" else found[0]


def _folds(examples: Sequence[TrainingExample]) -> list[int]:
    """Each example's fold, as the training's GroupKFold deals them."""
    from sklearn.model_selection import GroupKFold

    fold = [0] * len(examples)
    splits = GroupKFold(n_splits=FOLDS).split(examples, groups=[e.group for e in examples])
    for k, (_, test) in enumerate(splits):
        for i in test:
            fold[i] = k
    return fold


def _f1(pairs: list[tuple[bool, bool]]) -> float:
    tp = sum(g and p for g, p in pairs)
    predicted, gold = sum(p for _, p in pairs), sum(g for g, _ in pairs)
    return 2 * tp / (predicted + gold) if tp else 0.0


def _provinces(pages: list[LabelledPage], labeller: dict[str, str]) -> None:
    by_file: dict[str, list[bool]] = defaultdict(list)
    relevant, other = [], []
    for page in pages:
        if not page.province:
            continue
        found = regions(page.text, title=page.title)
        hit = short_province(page.province) == (
            short_province(found[0]["province"]) if found else "-"
        )
        (relevant if page.relevant else other).append(hit)
        if page.relevant:
            by_file[labeller[page.id]].append(hit)
    rates = sorted(sum(h) / len(h) for h in by_file.values() if len(h) >= 10)
    print(
        f"province (rules): relevant {sum(relevant) / len(relevant):.3f} "
        f"({sum(relevant)}/{len(relevant)}; labeller files of 10+ pages "
        f"{rates[0]:.2f}-{rates[-1]:.2f}); "
        f"read not relevant {sum(other) / len(other):.3f} ({sum(other)}/{len(other)})"
    )


if __name__ == "__main__":
    sys.exit(main())
