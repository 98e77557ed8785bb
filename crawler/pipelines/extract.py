from __future__ import annotations

from typing import Any

from analysis.analyse import AnalysisOptions
from analysis.extract import ExtractOptions
from analysis.model import Article
from crawler.items import PageItem, PostItem
from crawler.pagework import PageJob, work_page
from crawler.pipelines.analyse import analysis_options
from crawler.pipelines.worker import AnalysisWorker, worker_for
from crawler.skips import NO_ARTICLE, SkipPage

POST_OUTLET = "微博"


class ExtractPipeline:
    """Turn a fetched page into an analysed ``Article``; pages without article text are dropped.

    Extraction and analysis of a page are one job (:func:`work_page`), so with analysis
    workers the page's bytes cross to a worker once and the analysed article comes back
    once. A social post is already text: it becomes an ``Article`` as it is, however
    short, and is dropped only when it has no text at all (an image-only post); the
    analyse pipeline analyses it.
    """

    def __init__(
        self,
        crawler: Any,
        min_text_chars: int,
        worker: AnalysisWorker,
        analysis: AnalysisOptions | None = None,
    ) -> None:
        self.crawler = crawler
        self.min_text_chars = min_text_chars
        self.worker = worker
        self.analysis = analysis or AnalysisOptions()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(
            crawler,
            crawler.settings.getint("HOTWATCH_MIN_TEXT_CHARS"),
            worker_for(crawler),
            analysis_options(crawler.settings),
        )

    async def process_item(self, item: PageItem | PostItem) -> PageItem | PostItem:
        if isinstance(item, PostItem):
            return self.post_article(item)
        # A page's 3小时前 or 昨天 is read against the moment it was fetched.
        options = ExtractOptions(now=item.fetched_at, **_selector_options(item.selectors))
        job = PageJob(
            body=item.body,
            content_type=item.content_type,
            url=item.url,
            fetched_at=item.fetched_at,
            options=options,
            analysis=self.analysis,
            min_text_chars=self.min_text_chars,
            feed_title=item.feed_title,
            feed_published=item.feed_published,
        )
        item.body = b""  # the text is all we keep; pages can be large
        result = await self.worker.run(work_page, job)
        if result.skip is not None:
            raise SkipPage(result.skip, item.url, result.detail)
        item.article, item.analysis = result.article, result.analysis
        item.fingerprint = result.fingerprint
        return item

    def post_article(self, item: PostItem) -> PostItem:
        post = item.post
        if not post.text:
            raise SkipPage(NO_ARTICLE, post.url, "a post without text")
        item.article = Article(
            title=post.title,
            text=post.text,
            published_at=post.created_at,
            author=post.author,
            outlet=POST_OUTLET,
            canonical_url=post.url,
        )
        return item


def _selector_options(selectors: dict[str, str]) -> dict[str, str]:
    return {f"{field}_selector": value for field, value in selectors.items() if value}
