"""List pages turn a link into a request once a crawl: a site repeats its pager and
navigation on every list page, and each repeat would be a request Scrapy's duplicate
filter drops after the spider middlewares and a fingerprint."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.spiders.site import SiteSpider

SITE = "http://news.example.cn"


def list_page(number: int, articles: list[int]) -> HtmlResponse:
    items = "".join(
        f'<li><a href="/news/2024/05/0{n % 9 + 1}/a{n:05d}.html">市民拨打12345热线反映问题第{n}件</a></li>'
        for n in articles
    )
    pager = " ".join(f'<a href="/news/index_{p}.html">{p}</a>' for p in range(2, 6))
    body = f'<html><body><ul>{items}</ul><div class="pages">{pager}</div></body></html>'
    url = f"{SITE}/news/index_{number}.html"
    request = Request(url, meta={"list_depth": number - 1})
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)


def spider(settings: dict | None = None) -> SiteSpider:
    crawler = get_crawler(SiteSpider, settings or {})
    return SiteSpider.from_crawler(crawler, source={"start_urls": [f"{SITE}/news/index.html"]})


def urls(requests) -> list[str]:
    return [request.url for request in requests]


def test_a_link_on_several_list_pages_becomes_one_request():
    site = spider()
    first = urls(site.parse_listing(list_page(2, [1, 2, 3])))
    second = urls(site.parse_listing(list_page(3, [3, 4])))
    assert sorted(first) == sorted(
        [f"{SITE}/news/index_{p}.html" for p in range(2, 6)]
        + [f"{SITE}/news/2024/05/0{n % 9 + 1}/a{n:05d}.html" for n in (1, 2, 3)]
    )
    assert second == [f"{SITE}/news/2024/05/05/a00004.html"]  # the new article alone


def test_with_a_shared_frontier_its_filter_decides():
    """The frontier's filter forgets list pages at each seeding, so a worker that lives
    across seedings must ask again."""
    site = spider({"HOTWATCH_FRONTIER_URL": "redis://127.0.0.1:1"})
    first = urls(site.parse_listing(list_page(2, [1, 2])))
    second = urls(site.parse_listing(list_page(3, [2])))
    assert len(first) == 6
    assert sorted(second) == sorted(
        [f"{SITE}/news/index_{p}.html" for p in range(2, 6)]
        + [f"{SITE}/news/2024/05/03/a00002.html"]
    )
