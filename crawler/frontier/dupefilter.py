"""Which requests the frontier has already had: article URLs for ``revisit_hours`` across
every worker, list pages and feeds for one seeding (they are fetched again each crawl).
With ``revisit_hours = 0`` articles are fetched again at every seeding, but once in it.

A request is marked seen and queued in one Redis script (``seen_or_queue``): were they
two calls, Redis failing between them would leave a URL seen that no queue holds, and
it would not be fetched for ``revisit_hours``.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter

from crawler.frontier.bloom import RedisBloom
from crawler.frontier.queueing import SETTLE, Queueing

# KEYS: the seeding's set. ARGV[4]: fingerprint.
SEEDING_SEEN_OR_ADD = SETTLE + """
if redis.call('SADD', KEYS[1], ARGV[4]) == 0 then return settle(1) end
return settle(0)
"""

# KEYS: articles. ARGV[4]: fingerprint, ARGV[5]: now, ARGV[6]: revisit seconds.
ARTICLE_SEEN_OR_ADD = SETTLE + """
local fetched = redis.call('ZSCORE', KEYS[1], ARGV[4])
if fetched and tonumber(fetched) > tonumber(ARGV[5]) - tonumber(ARGV[6]) then
    return settle(1)
end
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[4])
return settle(0)
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
        self._seeding_seen_or_add = server.register_script(SEEDING_SEEN_OR_ADD)
        self._article_seen_or_add = server.register_script(ARTICLE_SEEN_OR_ADD)

    def request_seen(self, request: Request) -> bool:
        return self.seen_or_queue(request, Queueing(self.seeding_key, self.seeding_key))

    def seen_or_queue(self, request: Request, queueing: Queueing) -> bool:
        """True if seen; else marks it seen and queues it as ``queueing`` says, atomically."""
        fingerprint = self.fingerprinter.fingerprint(request)
        if not request.meta.get("hotwatch_article") or self.revisit <= 0:
            keys, args = [self.seeding_key], [fingerprint]
            return bool(self._seeding_seen_or_add(keys=keys + queueing.keys(),
                                                  args=queueing.args() + args))
        if self.bloom is not None:
            return self.bloom.seen_or_add(fingerprint, queueing=queueing)
        keys, args = [self.articles_key], [fingerprint, time.time(), self.revisit]
        return bool(self._article_seen_or_add(keys=keys + queueing.keys(),
                                              args=queueing.args() + args))

    def log(self, request: Request, spider: Any) -> None:
        spider.crawler.stats.inc_value("dupefilter/filtered")
