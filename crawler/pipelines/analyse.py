from __future__ import annotations

from typing import Any

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.plans import Plan
from crawler.items import PageItem


class AnalysePipeline:
    """Tags, relevance and sentiment for each article, against the configured plans."""

    def __init__(self, options: AnalysisOptions) -> None:
        self.options = options

    @classmethod
    def from_crawler(cls, crawler: Any) -> AnalysePipeline:
        plans = tuple(
            Plan.from_text(p["name"], p["rule"], p.get("exclude", ()))
            for p in crawler.settings.getlist("HOTWATCH_PLANS")
        )
        return cls(AnalysisOptions(plans=plans))

    def process_item(self, item: PageItem) -> PageItem:
        item.analysis = analyse_article(item.article, self.options)
        return item
