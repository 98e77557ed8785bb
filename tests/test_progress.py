"""Progress lines: one when the counts change, and while nothing changes one every 10 s."""

from __future__ import annotations

import logging

from scrapy.utils.test import get_crawler

from crawler.extensions.progress import ProgressExtension
from crawler.spiders.site import SiteSpider


def test_a_line_only_on_change_or_after_ten_quiet_seconds(caplog):
    crawler = get_crawler(SiteSpider, {"HOTWATCH_PROGRESS_INTERVAL": 2.0})
    crawler.spider = SiteSpider(source={"name": "news", "start_urls": ["http://a.cn/"]})
    now = [0.0]
    extension = ProgressExtension(crawler, 2.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="hotwatch.progress")

    def tick(fetched: int) -> None:
        crawler.stats.set_value("hotwatch/news/fetched", fetched)
        extension.report()
        now[0] += 2.0

    for fetched in [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3]:  # t = 0, 2, ..., 24
        tick(fetched)
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split(",")[0] for line in lines] == [
        "news: fetched 1",  # t=0
        "news: fetched 2",  # t=4
        "news: fetched 2",  # t=14: ten quiet seconds
        "news: fetched 3",  # t=24: a change
    ]
    assert lines[2].endswith("waiting on 0 download(s)")
    assert "waiting" not in lines[1] and "waiting" not in lines[3]
