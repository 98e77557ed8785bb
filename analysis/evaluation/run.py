"""Score hotwatch's analysis against the labelled set, beside the plain keyword baseline.

Definitions (all over the chosen documents):

- relevance P/R/F1: the positive class is "relevant";
- category accuracy: on labelled-relevant documents, the first (strongest) category
  found is one of the labelled ones; ``category set`` asks for the exact set;
- province and city accuracy: on labelled-relevant documents with that label, the
  best region found names it (municipalities: city = province);
- incident pairwise P/R/F1: over document pairs, grouped as in production: documents
  judged relevant go through ``assign_incidents`` together, oldest first, the rest
  belong to no incident;
- negativity ROC AUC: ``Analysis.negativity`` separating negative from other coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.evaluation.baseline import keyword_rule
from analysis.evaluation.devset import LabelledDocument, load_devset
from analysis.evaluation.metrics import (
    accuracy,
    pairwise_prf,
    precision_recall_f1,
    roc_auc,
    same_group_pairs,
)
from analysis.incidents import IncidentFeatures, assign_incidents
from analysis.model import Analysis, Article

PRF_FIELDS = (("precision", "precision"), ("recall", "recall"), ("F1", "f1"))
TARGETS = {"relevance F1": 0.90, "province accuracy": 0.90, "incident pairwise F1": 0.85}


@dataclass(frozen=True)
class Metric:
    name: str
    value: float | None
    baseline: float | None = None
    target: float | None = None
    support: int = 0  # documents (or pairs) the metric is computed over
    second_baseline: float | None = None  # where two baselines are measured

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target


@dataclass(frozen=True)
class Miss:
    doc_id: str
    check: str  # relevance, category, province, city, incident
    expected: str
    got: str
    reasons: tuple[str, ...] = ()


@dataclass
class EvaluationReport:
    subset: str
    documents: int
    metrics: list[Metric] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    missing_text: int = 0  # labelled pages left out because their text is not cached
    other_languages: int = 0  # labelled pages not in Chinese, outside hotwatch's judgement

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)


def evaluate_set(
    path: str | Path | None = None,
    *,
    subset: str = "dev",
    options: AnalysisOptions | None = None,
) -> EvaluationReport:
    """Load ``subset`` of the labelled set at ``path`` (default: the bundled one) and score it."""
    return evaluate(load_devset(path, subset=subset), subset=subset, options=options)


def evaluate(
    docs: Sequence[LabelledDocument], *, subset: str = "all", options: AnalysisOptions | None = None
) -> EvaluationReport:
    """Analyse every document and compare with its labels."""
    options = options or AnalysisOptions()
    analyses = [analyse_article(_article(doc), options) for doc in docs]
    report = EvaluationReport(subset=subset, documents=len(docs))
    _relevance(report, docs, analyses)
    _categories(report, docs, analyses)
    _regions(report, docs, analyses)
    _incidents(report, docs, analyses)
    labels = [doc.negative for doc in docs]
    auc = roc_auc(labels, [a.negativity for a in analyses])
    report.metrics.append(Metric("negativity ROC AUC", auc, support=len(docs)))
    return report


def _relevance(
    report: EvaluationReport, docs: Sequence[LabelledDocument], analyses: list[Analysis]
) -> None:
    gold = [doc.relevant for doc in docs]
    ours = precision_recall_f1(gold, [a.relevant for a in analyses])
    base = precision_recall_f1(gold, [keyword_rule(doc.title, doc.text) for doc in docs])
    for label, field_name in PRF_FIELDS:
        name = f"relevance {label}"
        value, baseline = getattr(ours, field_name), getattr(base, field_name)
        report.metrics.append(Metric(name, value, baseline, TARGETS.get(name), len(docs)))
    for doc, analysis in zip(docs, analyses, strict=True):
        if doc.relevant != analysis.relevant:
            report.misses.append(
                Miss(
                    doc.id,
                    "relevance",
                    f"{doc.relevant} ({doc.kind})",
                    f"{analysis.relevant} (score {analysis.relevance})",
                    tuple(analysis.reasons),
                )
            )


def _categories(
    report: EvaluationReport, docs: Sequence[LabelledDocument], analyses: list[Analysis]
) -> None:
    pairs = [(doc, a) for doc, a in zip(docs, analyses, strict=True) if doc.relevant]
    primary = [a.categories[0] if a.categories else None for _, a in pairs]
    hits = [p in doc.categories for (doc, _), p in zip(pairs, primary, strict=True)]
    report.metrics.append(
        Metric("category accuracy", accuracy([True] * len(hits), hits), support=len(pairs))
    )
    exact = accuracy([set(d.categories) for d, _ in pairs], [set(a.categories) for _, a in pairs])
    report.metrics.append(Metric("category set accuracy", exact, support=len(pairs)))
    for (doc, analysis), hit in zip(pairs, hits, strict=True):
        if not hit:
            report.misses.append(
                Miss(doc.id, "category", ",".join(doc.categories), ",".join(analysis.categories))
            )


def _regions(
    report: EvaluationReport, docs: Sequence[LabelledDocument], analyses: list[Analysis]
) -> None:
    for level in ("province", "city"):
        pairs = [
            (doc, a)
            for doc, a in zip(docs, analyses, strict=True)
            if doc.relevant and getattr(doc, level)
        ]
        gold = [getattr(doc, level) for doc, _ in pairs]
        found = [a.regions[0].get(level) if a.regions else None for _, a in pairs]
        name = f"{level} accuracy"
        report.metrics.append(
            Metric(name, accuracy(gold, found), target=TARGETS.get(name), support=len(pairs))
        )
        for (doc, analysis), expected, got in zip(pairs, gold, found, strict=True):
            if expected != got:
                shown = " / ".join("".join(r.values()) for r in analysis.regions) or "-"
                report.misses.append(Miss(doc.id, level, expected, str(got), (shown,)))


def _incidents(
    report: EvaluationReport, docs: Sequence[LabelledDocument], analyses: list[Analysis]
) -> None:
    predicted = predicted_incidents(docs, analyses)
    gold = [doc.incident for doc in docs]
    scores = pairwise_prf(gold, predicted)
    support = len(same_group_pairs(gold))
    for label, field_name in PRF_FIELDS:
        name = f"incident pairwise {label}"
        value = getattr(scores, field_name)
        report.metrics.append(Metric(name, value, target=TARGETS.get(name), support=support))
    gold_pairs, found_pairs = same_group_pairs(gold), same_group_pairs(predicted)
    for i, j in sorted(gold_pairs - found_pairs):
        report.misses.append(
            Miss(f"{docs[i].id}+{docs[j].id}", "incident", f"same ({gold[i]})", "split apart")
        )
    for i, j in sorted(found_pairs - gold_pairs):
        expected = f"{gold[i] or '-'} vs {gold[j] or '-'}"
        report.misses.append(Miss(f"{docs[i].id}+{docs[j].id}", "incident", expected, "merged"))


def predicted_incidents(
    docs: Sequence[LabelledDocument], analyses: Sequence[Analysis]
) -> list[str | None]:
    """Incident ids as production gives them: only documents judged relevant are grouped."""
    chosen = [i for i, analysis in enumerate(analyses) if analysis.relevant]
    features = [_features(docs[i], analyses[i]) for i in chosen]
    predicted: list[str | None] = [None] * len(docs)
    for i, incident in zip(chosen, assign_incidents(features), strict=True):
        predicted[i] = incident
    return predicted


def _article(doc: LabelledDocument) -> Article:
    return Article(title=doc.title, text=doc.text, published_at=_moment(doc))


def _features(doc: LabelledDocument, analysis: Analysis) -> IncidentFeatures:
    return IncidentFeatures(
        doc_id=doc.id,
        title=doc.title,
        text=doc.text,
        published_at=_moment(doc),
        regions=analysis.regions,
        hotlines=analysis.hotlines,
        categories=analysis.categories,
    )


def _moment(doc: LabelledDocument) -> datetime:
    return datetime.combine(doc.published, time(12))
