from __future__ import annotations

from typing import Any

from analysis.analyse import AnalysisOptions
from analysis.plans import Plan
from crawler.items import PageItem, PostItem
from crawler.pagework import analyse_with_fingerprint
from crawler.pipelines.worker import AnalysisWorker, worker_for


def analysis_options(settings: Any) -> AnalysisOptions:
    """The analysis options of a crawl: its configured monitoring plans."""
    plans = tuple(
        Plan.from_text(p["name"], p["rule"], p.get("exclude", ()))
        for p in settings.getlist("HOTWATCH_PLANS")
    )
    return AnalysisOptions(plans=plans)


class AnalysePipeline:
    """Tags, relevance and sentiment for each article not yet analysed, against the plans.

    Pages arrive analysed from the extract pipeline (one worker job per page); social
    posts, which need no extraction, are analysed here.
    """

    def __init__(self, options: AnalysisOptions, worker: AnalysisWorker) -> None:
        self.options = options
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Any) -> AnalysePipeline:
        return cls(analysis_options(crawler.settings), worker_for(crawler))

    async def process_item(self, item: PageItem | PostItem) -> PageItem | PostItem:
        if item.analysis is None:
            item.analysis, item.fingerprint = await self.worker.run(
                analyse_with_fingerprint, item.article, self.options
            )
        return item
