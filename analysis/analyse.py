"""One call that turns an extracted article into an ``Analysis``."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.model import Analysis, Article
from analysis.plans import Plan
from analysis.relevance import assess_relevance
from analysis.sentiment import score_document
from analysis.tags import categories, hotlines, regions


@dataclass(frozen=True, kw_only=True)
class AnalysisOptions:
    """Options for ``analyse_article``; built once at the edge (CLI, pipeline)."""

    plans: tuple[Plan, ...] = ()

    def __post_init__(self) -> None:
        if not all(isinstance(plan, Plan) for plan in self.plans):
            raise TypeError("plans must be analysis.plans.Plan objects")


def analyse_article(article: Article, options: AnalysisOptions) -> Analysis:
    """Tags, relevance and sentiment of one article."""
    title, text = article.title, article.text
    found_hotlines = hotlines(f"{title}\n{text}")
    found_categories = categories(text, title=title)
    relevance = assess_relevance(
        title, text, plans=options.plans, hotlines=found_hotlines, categories=found_categories
    )
    sentiment = score_document(title, text)
    return Analysis(
        relevant=relevance.relevant,
        relevance=relevance.score,
        negativity=sentiment.negativity,
        sentiment=sentiment.sentiment,
        hotlines=found_hotlines,
        regions=regions(text, title=title),
        categories=found_categories,
        plans=list(relevance.plans),
        reasons=list(relevance.reasons),
    )
