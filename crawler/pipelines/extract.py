from __future__ import annotations

from typing import Any

from analysis.dates import parse_datetime
from analysis.extract import ExtractOptions, decode_page, extract_article
from analysis.extract.decode import garbled_share
from analysis.model import Article
from crawler.items import PageItem, PostItem
from crawler.pipelines.worker import AnalysisWorker, worker_for
from crawler.skips import NO_ARTICLE, UNDECODABLE, SkipPage

POST_OUTLET = "微博"
#: A page whose non-ASCII text is more than this share of replacement characters is unreadable.
MAX_GARBLED_SHARE = 0.2


class ExtractPipeline:
    """Turn a fetched page into an ``Article``; pages without article text are dropped.

    A social post is already text: it becomes an ``Article`` as it is, however short,
    and is dropped only when it has no text at all (an image-only post).
    """

    def __init__(self, crawler: Any, min_text_chars: int, worker: AnalysisWorker) -> None:
        self.crawler = crawler
        self.min_text_chars = min_text_chars
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(crawler, crawler.settings.getint("HOTWATCH_MIN_TEXT_CHARS"), worker_for(crawler))

    async def process_item(self, item: PageItem | PostItem) -> PageItem | PostItem:
        if isinstance(item, PostItem):
            return self.post_article(item)
        # A page's 3小时前 or 昨天 is read against the moment it was fetched.
        options = ExtractOptions(now=item.fetched_at, **_selector_options(item.selectors))
        article, garbled = await self.worker.run(
            decode_and_extract, item.body, item.content_type, item.url, options
        )
        item.body = b""  # the text is all we keep; pages can be large
        if article is None:
            raise SkipPage(UNDECODABLE, item.url, f"{garbled:.0%} of its characters unreadable")
        if not article.title and item.feed_title:
            article.title = item.feed_title
        if article.published_at is None and item.feed_published:
            article.published_at = parse_datetime(item.feed_published, now=item.fetched_at)
        if len(article.text) < self.min_text_chars:
            raise SkipPage(NO_ARTICLE, item.url, f"{len(article.text)} characters of text")
        item.article = article
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
