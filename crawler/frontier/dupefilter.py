"""Which requests the frontier has already had: article URLs for ``revisit_hours`` across
every worker, list pages and feeds for one seeding (they are fetched again each crawl).
With ``revisit_hours = 0`` articles are fetched again at every seeding, but once in it."""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter

from crawler.frontier.bloom import RedisBloom

# KEYS: articles. ARGV: fingerprint, now, revisit seconds.
ARTICLE_SEEN_OR_ADD = """
local fetched = redis.call('ZSCORE', KEYS[1], ARGV[1])
if fetched and tonumber(fetched) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return 1 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 0
"""


class FrontierFilter(BaseDupeFilter):
    """Built by ``FrontierScheduler`` for one source; fingerprints are Scrapy's own (20 bytes)."""

    def __init__(
        self,
        server: Any,
        fingerprinter: Any,
        *,
        articles_key: str,
        seeding_key: str,
        revisit: float,
        bloom: RedisBloom | None = None,
    ) -> None:
        self.server = server
        self.fingerprinter = fingerprinter
        self.articles_key = articles_key
        self.seeding_key = seeding_key
        self.revisit = revisit
        self.bloom = bloom
        self._article_seen_or_add = server.register_script(ARTICLE_SEEN_OR_ADD)

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.fingerprinter.fingerprint(request)
        if not request.meta.get("hotwatch_article") or self.revisit <= 0:
            return self.server.sadd(self.seeding_key, fingerprint) == 0
        if self.bloom is not None:
            return self.bloom.seen_or_add(fingerprint)
        return bool(
            self._article_seen_or_add(
                keys=[self.articles_key], args=[fingerprint, time.time(), self.revisit]
            )
        )

    def log(self, request: Request, spider: Any) -> None:
        spider.crawler.stats.inc_value("dupefilter/filtered")
