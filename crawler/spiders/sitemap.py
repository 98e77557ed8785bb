from crawler.spiders.base import SourceSpider


class SitemapSpider(SourceSpider):
    """Sitemaps, sitemap indexes (also gzipped) and robots.txt ``Sitemap:`` lines."""

    name = "sitemap"
