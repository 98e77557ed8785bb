"""Recompute every stored document's analysis from its stored text.

Used after the judgement changes (a new relevance or damage model, new plans): the
documents go back through ``analyse_article`` and the store's normal write path, in
batches, so both backends keep their search index in step. Collected content (title,
text, dates, URLs, engagement, incident assignment) is never touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import islice

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.model import Article
from index.base import Store
from index.records import StoredDocument

Progress = Callable[[int], None]  # documents reanalysed so far
ANALYSIS_FIELDS = (
    "relevant",
    "relevance",
    "negativity",
    "sentiment",
    "hotlines",
    "regions",
    "categories",
    "plans",
    "reasons",
)


@dataclass
class ReanalyseReport:
    documents: int = 0
    changed: Counter[str] = field(default_factory=Counter)  # field name -> documents changed

    @property
    def relevance_changed(self) -> int:
        return self.changed["relevant"]


def reanalyse_store(
    store: Store,
    options: AnalysisOptions,
    *,
    batch_size: int = 200,
    progress: Progress | None = None,
) -> ReanalyseReport:
    report = ReanalyseReport()
    documents = store.iter_documents()
    while batch := list(islice(documents, batch_size)):
        fresh = [reanalysed(doc, options) for doc in batch]
        for old, new in zip(batch, fresh, strict=True):
            report.changed.update(
                name for name in ANALYSIS_FIELDS if getattr(old, name) != getattr(new, name)
            )
        store.upsert_many(fresh)
        report.documents += len(batch)
        if progress:
            progress(report.documents)
    return report


def reanalysed(doc: StoredDocument, options: AnalysisOptions) -> StoredDocument:
    """``doc`` with every analysis field recomputed from its stored text."""
    article = Article(
        title=doc.title,
        text=doc.text,
        published_at=doc.published_at,
        author=doc.author,
        outlet=doc.outlet,
    )
    analysis = analyse_article(article, options)
    return replace(doc, **{name: getattr(analysis, name) for name in ANALYSIS_FIELDS})
