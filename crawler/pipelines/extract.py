from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.dates import parse_datetime
from analysis.extract import ExtractOptions, decode_page, extract_article
from analysis.extract.decode import garbled_share
from analysis.model import Analysis, Article
from crawler.items import PageItem, PostItem
from crawler.pipelines.analyse import analysis_options
from crawler.pipelines.worker import AnalysisWorker, worker_for
from crawler.skips import NO_ARTICLE, UNDECODABLE, SkipPage

POST_OUTLET = "微博"
#: A page whose non-ASCII text is more than this share of replacement characters is unreadable.
MAX_GARBLED_SHARE = 0.2


@dataclass(frozen=True)
class PageJob:
    """All a worker needs to turn a fetched page into an analysed article, sent once."""

    body: bytes
    content_type: str | None
    url: str
    fetched_at: datetime
    options: ExtractOptions
    analysis: AnalysisOptions
    min_text_chars: int
    feed_title: str | None = None
    feed_published: str | None = None


@dataclass(frozen=True)
class PageResult:
    article: Article | None
    analysis: Analysis | None
    skip: str | None = None  # a crawler.skips reason
    detail: str = ""


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


def work_page(job: PageJob) -> PageResult:
    """Decode, extract (feed title and date filling gaps) and analyse one page."""
    article, garbled = decode_and_extract(job.body, job.content_type, job.url, job.options)
    if article is None:
        return PageResult(None, None, UNDECODABLE, f"{garbled:.0%} of its characters unreadable")
    if not article.title and job.feed_title:
        article.title = job.feed_title
    if article.published_at is None and job.feed_published:
        article.published_at = parse_datetime(job.feed_published, now=job.fetched_at)
    if len(article.text) < job.min_text_chars:
        return PageResult(None, None, NO_ARTICLE, f"{len(article.text)} characters of text")
    return PageResult(article, analyse_article(article, job.analysis))


def decode_and_extract(
    body: bytes, content_type: str | None, url: str, options: ExtractOptions
) -> tuple[Article | None, float]:
    """The page's article, or None and the garbled share when its bytes decode to no text."""
    html = decode_page(body, content_type=content_type)
    garbled = garbled_share(html)
    if garbled > MAX_GARBLED_SHARE:
        return None, garbled
    return extract_article(html, url=url, options=options), garbled


def _selector_options(selectors: dict[str, str]) -> dict[str, str]:
    return {f"{field}_selector": value for field, value in selectors.items() if value}
