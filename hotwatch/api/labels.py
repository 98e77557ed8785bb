"""Staff judgement as evaluation data: ``hotwatch labels export`` and ``eval --labels``.

An incident the desk marked 误报 (``false_positive``) labels each of its documents not
relevant and not damaging; one it took up (``handling``, ``responded``, ``closed``)
labels them relevant and damaging (read damage 2 on the 0-3 scale: the desk acted on
it; the degree was not read). ``new`` and ``watching`` are no judgement yet.

The export is JSON lines in the real-page set's format (``analysis/evaluation/
realpages.jsonl``: id, url, relevant, category, incident, negativity...) plus
``doc_id``; ``texts_dir`` also writes each page's ``<id>.txt`` (title, then text) as
the page cache holds them, so ``HOTWATCH_PAGES_CACHE=DIR hotwatch eval --file FILE
--set all`` runs the full evaluation on them too.

``evaluate_labels`` analyses each labelled document's stored text again with today's
analysis and measures relevance (precision, recall, F1 beside the keyword rule) and
damage (ROC AUC of the negativity score).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.evaluation.baseline import keyword_rule
from analysis.evaluation.metrics import precision_recall_f1, roc_auc
from analysis.incidents import assign_incidents
from analysis.model import Analysis, Article
from hotwatch.api.local_files import InputError
from index import DocumentNotFound, IncidentNotFound, SearchQuery, Store
from index.incident_records import incident_features
from index.records import StoredDocument

LABELLED = {"false_positive": False, "handling": True, "responded": True, "closed": True}
MAX_DOCUMENTS = 500  # per incident
CONFIRMED_DAMAGE = 2


@dataclass
class LabelMetric:
    name: str
    value: float | None
    baseline: float | None = None


@dataclass
class LabelReport:
    documents: int = 0
    relevant: int = 0
    missing: int = 0  # labelled documents no longer in the store
    metrics: list[LabelMetric] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "relevant": self.relevant,
            "missing": self.missing,
            "metrics": {m.name: {"hotwatch": m.value, "baseline": m.baseline}
                        for m in self.metrics},
        }


def label_records(store: Store) -> Iterator[tuple[dict[str, Any], StoredDocument]]:
    """One label record per document of every incident the desk judged."""
    for state in store.list_handling(statuses=tuple(LABELLED)):
        try:
            store.get_incident(state.incident_id)
        except IncidentNotFound:
            continue
        relevant = LABELLED[state.status]
        query = SearchQuery(incident_id=state.incident_id, relevant_only=False,
                            limit=MAX_DOCUMENTS)
        for hit in store.search(query).hits:
            yield _record(hit.document, state.incident_id, state.status, relevant,
                          state.updated_by), hit.document


def export_labels(store: Store, out: Path, texts_dir: Path | None = None) -> int:
    """Write the labels to ``out`` (and page texts to ``texts_dir``); returns the count."""
    count = 0
    try:
        if texts_dir is not None:
            texts_dir.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for record, document in label_records(store):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                if texts_dir is not None:
                    page = f"{document.title}\n{document.text}"
                    (texts_dir / f"{record['id']}.txt").write_text(page, encoding="utf-8")
                count += 1
    except OSError as error:
        raise InputError(f"cannot write labels: {error}") from error
    return count


def evaluate_labels(store: Store, path: Path) -> LabelReport:
    """Relevance and damage of today's analysis on the labels in ``path``; a document
    judged not relevant that joins an incident of the others is relevant, as in a store."""
    report = LabelReport()
    gold, base, damaging, scores = [], [], [], []
    analysed: list[StoredDocument] = []
    for record in _read(path):
        try:
            document = store.get(str(record["doc_id"]))
        except DocumentNotFound:
            report.missing += 1
            continue
        analysis = analyse_article(Article(document.title, document.text), AnalysisOptions())
        analysed.append(_reanalysed(document, analysis))
        gold.append(bool(record["relevant"]))
        base.append(keyword_rule(document.title, document.text))
        damaging.append(int(record.get("negativity") or 0) >= CONFIRMED_DAMAGE)
        scores.append(analysis.negativity)
    report.documents, report.relevant = len(gold), sum(gold)
    if not gold:
        return report
    placed = assign_incidents([incident_features(d) for d in analysed])
    ours = [d.relevant or i is not None for d, i in zip(analysed, placed, strict=True)]
    ours_prf, base_prf = precision_recall_f1(gold, ours), precision_recall_f1(gold, base)
    for name in ("precision", "recall", "f1"):
        report.metrics.append(LabelMetric(
            f"relevance {name}", getattr(ours_prf, name), getattr(base_prf, name)
        ))
    report.metrics.append(LabelMetric("damage AUC", roc_auc(damaging, scores)))
    return report


def _reanalysed(document: StoredDocument, analysis: Analysis) -> StoredDocument:
    return replace(
        document,
        relevant=analysis.relevant,
        relevance=analysis.relevance,
        reasons=analysis.reasons,
        hotlines=analysis.hotlines,
        regions=analysis.regions,
        categories=analysis.categories,
        fingerprint=None,
    )


def _record(
    document: StoredDocument, incident_id: str, status: str, relevant: bool,
    labeller: str | None,
) -> dict[str, Any]:
    region = document.regions[0] if document.regions else {}
    return {
        "id": f"s{document.id}",
        "doc_id": document.id,
        "url": document.url,
        "query": "",
        "relevant": relevant,
        "category": (document.categories or [None])[0] if relevant else None,
        "incident": incident_id if relevant else None,
        "hotline": (document.hotlines or [None])[0],
        "province": region.get("province"),
        "city": region.get("city"),
        "published": document.published_at.date().isoformat()
        if document.published_at else None,
        "kind": "other",
        "negativity": CONFIRMED_DAMAGE if relevant else 0,
        "negativity_reason": f"desk status {status}"
        + (" (acted on; degree not read)" if relevant else ""),
        "reason": f"incident {incident_id} marked {status} by the PR desk",
        "label_confidence": "staff",
        "labeller": labeller or "",
    }


def _read(path: Path) -> Iterator[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read labels {path}: {error}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{number}: not JSON ({error.msg})") from error
        if not isinstance(record, dict) or "doc_id" not in record or "relevant" not in record:
            raise InputError(f"{path}:{number}: a label needs doc_id and relevant "
                             "(write them with: hotwatch labels export)")
        yield record
