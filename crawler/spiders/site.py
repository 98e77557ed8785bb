from crawler.spiders.base import SourceSpider


class SiteSpider(SourceSpider):
    """List pages followed through pagination to articles, within the allowed domains."""

    name = "site"
