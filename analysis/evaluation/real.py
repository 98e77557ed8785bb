"""Score hotwatch's judgement on real pages labelled by reading them (``realpages.py``).

Relevance P/R/F1 beside the plain keyword rule; category accuracy (the strongest
category found, ``other`` when none or ``no_resolution``, against the read one);
province accuracy (the best region found); incident pairwise F1 (pages judged relevant
grouped as in production) and the grouping alone (pages read relevant); damage: ROC AUC
for read damage >= 2 vs <= 1, AUC among relevant pages for 3 vs <= 2, and Spearman's rho
with the 0-3 reading, each beside ``1 - SnowNLP(text).sentiments`` and ``1 -`` the mean
SnowNLP sentence score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.evaluation.baseline import keyword_rule
from analysis.evaluation.metrics import accuracy, pairwise_prf, precision_recall_f1, roc_auc
from analysis.evaluation.realpages import LabelledPage, RealPagesError, load_pages
from analysis.evaluation.run import PRF_FIELDS, EvaluationReport, Metric, Miss
from analysis.evaluation.spearman import spearman
from analysis.incidents import IncidentFeatures, assign_incidents
from analysis.model import Analysis, Article
from analysis.relevance import event_routes
from analysis.sentiment import default_model, snownlp_sentiment, split_sentences
from analysis.tags.gazetteer import short_province
from analysis.tags.language import reads_as_chinese

TARGETS = {
    "relevance F1": 0.90,
    "category accuracy": 0.85,
    "province accuracy": 0.90,
    "incident pairwise F1": 0.85,
    "damage AUC (>=2 vs <=1)": 0.85,
    "damage AUC among relevant (3 vs <=2)": 0.75,
    "damage Spearman (0-3)": 0.60,
}


def evaluate_real_pages(subset: str = "test", *, path: str | None = None) -> EvaluationReport:
    """Analyse every labelled page of ``subset`` whose text is cached, and compare."""
    found = load_pages(subset, path=path)
    if not found.pages:
        raise RealPagesError(
            f"no labelled page texts in {found.cache_dir}: rebuild the cache "
            "(python scripts/rebuild_realpages.py --help)"
        )
    chinese = [p for p in found.pages if reads_as_chinese(f"{p.title}\n{p.text}")]
    others = [p for p in found.pages if p not in chinese]
    analyses = _analyse(chinese)
    report = _score(chinese, analyses, subset=subset)
    report.missing_text = found.missing_text
    report.other_languages = len(others)
    if others:
        _relevance_all_languages(report, [*chinese, *others], analyses + _analyse(others))
    return report


def evaluate_pages(pages: Sequence[LabelledPage], *, subset: str) -> EvaluationReport:
    return _score(pages, _analyse(pages), subset=subset)


def _score(
    pages: Sequence[LabelledPage], analyses: list[Analysis], *, subset: str
) -> EvaluationReport:
    report = EvaluationReport(subset=subset, documents=len(pages))
    placed = placed_incidents(pages, analyses)
    # Judged relevant as a store holds it: by the page itself, or by joining an incident.
    judged = [a.relevant or i is not None for a, i in zip(analyses, placed, strict=True)]
    _relevance(report, pages, analyses, judged)
    _categories(report, pages, analyses, judged)
    _provinces(report, pages, analyses)
    _incidents(report, pages, analyses, placed)
    _damage(report, pages, analyses)
    return report


def placed_incidents(pages: Sequence[LabelledPage], analyses: list[Analysis]) -> list[str | None]:
    """Each page's incident as a store places the pages together: those judged relevant,
    and those not that join an event of theirs (``event_routes``); None for the rest."""
    features = [
        replace(
            page_features(page, analysis),
            relevant=analysis.relevant,
            joins=event_routes(analysis.relevant, analysis.relevance, analysis.reasons),
        )
        for page, analysis in zip(pages, analyses, strict=True)
    ]
    return assign_incidents(features)


def _analyse(pages: Sequence[LabelledPage]) -> list[Analysis]:
    options = AnalysisOptions()
    return [analyse_article(Article(page.title, page.text), options) for page in pages]


def _relevance_all_languages(
    report: EvaluationReport, pages: Sequence[LabelledPage], analyses: list[Analysis]
) -> None:
    """Relevance F1 with the pages in other languages counted (hotwatch sets them aside)."""
    others = report.other_languages
    gold = [page.relevant for page in pages]
    ours = precision_recall_f1(gold, [a.relevant for a in analyses])
    base = precision_recall_f1(gold, [keyword_rule(p.title, p.text) for p in pages])
    name = f"relevance F1, all languages ({others} pages not Chinese)"
    report.metrics.append(Metric(name, ours.f1, base.f1, support=len(pages)))


def _relevance(
    report: EvaluationReport,
    pages: Sequence[LabelledPage],
    analyses: list[Analysis],
    judged: list[bool],
) -> None:
    gold = [page.relevant for page in pages]
    ours = precision_recall_f1(gold, judged)
    base = precision_recall_f1(gold, [keyword_rule(p.title, p.text) for p in pages])
    for label, field_name in PRF_FIELDS:
        name = f"relevance {label}"
        report.metrics.append(
            Metric(
                name,
                getattr(ours, field_name),
                getattr(base, field_name),
                TARGETS.get(name),
                len(pages),
            )
        )
    for page, analysis, relevant in zip(pages, analyses, judged, strict=True):
        if page.relevant != relevant:
            expected = f"{page.relevant} ({page.category or page.neg_type})"
            joined = ", joined an incident" if relevant and not analysis.relevant else ""
            got = f"{relevant} (score {analysis.relevance}{joined})"
            report.misses.append(Miss(page.id, "relevance", expected, got, tuple(analysis.reasons)))


def primary_category(analysis: Analysis) -> str:
    first = analysis.categories[0] if analysis.categories else "other"
    return "other" if first == "no_resolution" else first


def _categories(
    report: EvaluationReport,
    pages: Sequence[LabelledPage],
    analyses: list[Analysis],
    judged: list[bool],
) -> None:
    pairs = [(p, a) for p, a in zip(pages, analyses, strict=True) if p.relevant and p.category]
    kept_pages = {p.id for p, j in zip(pages, judged, strict=True) if j}
    gold = [p.category for p, _ in pairs]
    found = [primary_category(a) for _, a in pairs]
    name = "category accuracy"
    report.metrics.append(
        Metric(name, accuracy(gold, found), target=TARGETS[name], support=len(pairs))
    )
    # Pages far under the relevance threshold keep only the rules' tags: apart, the pages
    # judged relevant (by themselves or by joining an incident).
    kept = [(g, f) for (p, _), g, f in zip(pairs, gold, found, strict=True) if p.id in kept_pages]
    report.metrics.append(
        Metric(
            "category accuracy (pages judged relevant)",
            accuracy([g for g, _ in kept], [f for _, f in kept]),
            support=len(kept),
        )
    )
    for (page, analysis), expected, got in zip(pairs, gold, found, strict=True):
        if expected != got:
            report.misses.append(
                Miss(page.id, "category", str(expected), got, tuple(analysis.categories))
            )


def _provinces(
    report: EvaluationReport, pages: Sequence[LabelledPage], analyses: list[Analysis]
) -> None:
    pairs = [(p, a) for p, a in zip(pages, analyses, strict=True) if p.relevant and p.province]
    gold = [short_province(p.province or "") for p, _ in pairs]
    found = [short_province(a.regions[0]["province"]) if a.regions else "-" for _, a in pairs]
    name = "province accuracy"
    report.metrics.append(
        Metric(name, accuracy(gold, found), target=TARGETS[name], support=len(pairs))
    )
    for (page, analysis), expected, got in zip(pairs, gold, found, strict=True):
        if expected != got:
            shown = " / ".join("".join(r.values()) for r in analysis.regions) or "-"
            report.misses.append(Miss(page.id, "province", expected, got, (shown,)))


def _incidents(
    report: EvaluationReport,
    pages: Sequence[LabelledPage],
    analyses: list[Analysis],
    placed: list[str | None],
) -> None:
    """End to end (the pages placed as a store places them), then the grouping alone
    (the pages read as relevant, grouped): the first is what users see, the second says
    how much of its misses come from grouping rather than from relevance."""
    gold = [page.incident if page.relevant else None for page in pages]
    scores = pairwise_prf(gold, placed)
    for label, field_name in PRF_FIELDS:
        name = f"incident pairwise {label}"
        report.metrics.append(Metric(name, getattr(scores, field_name), target=TARGETS.get(name)))
    read = [i for i, page in enumerate(pages) if page.relevant]
    alone = pairwise_prf(gold, _grouped(pages, analyses, read))
    report.metrics.append(Metric("incident grouping F1 (pages read relevant)", alone.f1))


def page_features(page: LabelledPage, analysis: Analysis) -> IncidentFeatures:
    """What incident placement reads of a labelled page, as a store would hold it."""
    return IncidentFeatures(
        doc_id=page.id,
        title=page.title,
        text=page.text,
        published_at=_published(page),
        regions=analysis.regions,
        hotlines=analysis.hotlines,
        categories=analysis.categories,
        url=page.url,  # as stored: pages of one site share boilerplate, not particulars
    )


def _grouped(
    pages: Sequence[LabelledPage], analyses: list[Analysis], chosen: list[int]
) -> list[str | None]:
    """Each chosen page's incident as production assigns it; None for the rest."""
    features = [page_features(pages[i], analyses[i]) for i in chosen]
    predicted: list[str | None] = [None] * len(pages)
    for i, incident in zip(chosen, assign_incidents(features), strict=True):
        predicted[i] = incident
    return predicted


def _damage(
    report: EvaluationReport, pages: Sequence[LabelledPage], analyses: list[Analysis]
) -> None:
    reading = [page.negativity for page in pages]
    ours = [a.negativity for a in analyses]
    plain = [1 - snownlp_sentiment(p.text) for p in pages]
    sentences = [_sentence_mean(p.text) for p in pages]
    relevant = [i for i, p in enumerate(pages) if p.relevant]
    checks = {
        "damage AUC (>=2 vs <=1)": lambda s: roc_auc([r >= 2 for r in reading], s),
        "damage AUC among relevant (3 vs <=2)": lambda s: roc_auc(
            [reading[i] == 3 for i in relevant], [s[i] for i in relevant]
        ),
        "damage Spearman (0-3)": lambda s: spearman(reading, s),
    }
    for name, measure in checks.items():
        report.metrics.append(
            Metric(
                name, measure(ours), measure(plain), TARGETS[name], len(pages), measure(sentences)
            )
        )


def _sentence_mean(text: str) -> float:
    sentences = split_sentences(text) or [text]
    scores = default_model().score_many(sentences)
    return 1 - sum(scores) / len(scores)


def _published(page: LabelledPage) -> datetime | None:
    if not page.published:
        return None
    parts = [int(x) for x in page.published.split("-")[:3]]
    while len(parts) < 3:
        parts.append(1)
    return datetime(parts[0], parts[1], parts[2], 12)
