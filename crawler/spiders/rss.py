from crawler.spiders.base import SourceSpider


class RssSpider(SourceSpider):
    """RSS/Atom feeds: every entry's link is fetched as an article."""

    name = "rss"
