from __future__ import annotations

from typing import Any

import scrapy

from crawler.spiders.base import SourceSpider


class PagesSpider(SourceSpider):
    """Given article URLs fetched again now, whatever the revisit interval says.

    Used to re-visit stored documents for edits, follow-ups and official responses.
    The requests carry no ``hotwatch_article`` mark, so the incremental middleware
    lets them through; extraction, analysis and storage are the usual pipelines.
    """

    name = "pages"

    async def start(self) -> Any:
        for url in self.start_urls_for_source():
            if self.max_pages and self.article_requests >= self.max_pages:
                return
            self.article_requests += 1
            yield scrapy.Request(
                url, callback=self.parse_article, errback=self.on_error, dont_filter=True
            )
