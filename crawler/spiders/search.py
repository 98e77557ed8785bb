from urllib.parse import quote

from crawler.spiders.base import SourceSpider


class SearchSpider(SourceSpider):
    """A news-search feed: the source's ``url_template`` filled with each query."""

    name = "search"

    def start_urls_for_source(self) -> list[str]:
        template = self.source.get("url_template") or ""
        queries = self.source.get("queries") or []
        return [template.replace("{query}", quote(query)) for query in queries]
