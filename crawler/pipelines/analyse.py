from __future__ import annotations

from typing import Any

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.plans import Plan
from crawler.items import PageItem
from crawler.pipelines.worker import AnalysisWorker, worker_for


class AnalysePipeline:
    """Tags, relevance and sentiment for each article, against the configured plans."""

    def __init__(self, options: AnalysisOptions, worker: AnalysisWorker) -> None:
        self.options = options
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Any) -> AnalysePipeline:
        plans = tuple(
            Plan.from_text(p["name"], p["rule"], p.get("exclude", ()))
            for p in crawler.settings.getlist("HOTWATCH_PLANS")
        )
        return cls(AnalysisOptions(plans=plans), worker_for(crawler))

    async def process_item(self, item: PageItem) -> PageItem:
        item.analysis = await self.worker.run(analyse_article, item.article, self.options)
        return item
