"""Seen article URLs in Redis's own Bloom filters (``BF.*``), in time generations.

Exact fingerprints cost about 120 bytes each in Redis; a Bloom filter about
``-ln(p) / ln(2)^2`` bits (14.4 at p = 0.001). The filters are RedisBloom's, built into
Redis 8 and Redis Stack, or loaded into any Redis 7 with ``--loadmodule redisbloom.so``;
Debian's redis-server has none, hence ``require_bloom``. Each filter starts at
``capacity`` and grows by sub-filters past it, keeping the error rate, so a small
source costs little. Items cannot be taken out, so URLs are kept in generations of
``revisit`` seconds: a URL counts as seen while it is in the current or the previous
generation, and each generation's filter expires after two. A URL is thus not fetched
again for at least ``revisit`` seconds and at most twice that.
"""

from __future__ import annotations

import time
from typing import Any

from redis.exceptions import RedisError, ResponseError

from crawler.frontier.keys import FrontierUnavailable
from crawler.frontier.queueing import SETTLE, Queueing

# KEYS: current, previous generation. ARGV[4]: expiry seconds, ARGV[5]: error rate,
# ARGV[6]: initial capacity, ARGV[7]: the fingerprint.
SEEN_OR_ADD = SETTLE + """
if redis.call('BF.EXISTS', KEYS[2], ARGV[7]) == 1 then return settle(1) end
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('BF.RESERVE', KEYS[1], ARGV[5], ARGV[6], 'EXPANSION', 2)
    redis.call('EXPIRE', KEYS[1], ARGV[4])
end
if redis.call('BF.ADD', KEYS[1], ARGV[7]) == 0 then return settle(1) end
return settle(0)
"""


def require_bloom(server: Any, url: str) -> None:
    """``FrontierUnavailable`` unless the Redis at ``url`` has the Bloom filter commands."""
    try:
        server.execute_command("BF.EXISTS", "hotwatch-probe:no-such-filter", "x")
    except ResponseError as error:
        raise FrontierUnavailable(
            f"[queue] bloom = true needs Redis's Bloom filter (BF.ADD), which the Redis at "
            f"{url} lacks: use Redis 8 or Redis Stack, or start redis-server with "
            "--loadmodule redisbloom.so"
        ) from error
    except RedisError as error:
        raise FrontierUnavailable(f"queue Redis at {url} is unreachable: {error}") from error


class RedisBloom:
    def __init__(
        self, server: Any, key: str, *, capacity: int, error_rate: float, revisit: float
    ) -> None:
        self.server = server
        self.key = key
        self.capacity = capacity
        self.error_rate = error_rate
        self.revisit = max(1.0, revisit)
        self._seen_or_add = server.register_script(SEEN_OR_ADD)

    def generations(self, now: float | None = None) -> list[str]:
        """The keys of the current and the previous generation's filters."""
        generation = int((now or time.time()) // self.revisit)
        return [f"{self.key}:{generation}", f"{self.key}:{generation - 1}"]

    def count(self, now: float | None = None) -> int:
        """URLs remembered (Redis's estimate): a URL in the previous generation is not added
        to the current one, so the two counts add up."""
        pipe = self.server.pipeline()
        for key in self.generations(now):
            pipe.execute_command("BF.CARD", key)
        return sum(int(n) for n in pipe.execute())

    def seen_or_add(
        self, fingerprint: bytes, now: float | None = None, *, queueing: Queueing | None = None
    ) -> bool:
        """True if seen; else adds it (and queues the request as ``queueing`` says)."""
        keys = self.generations(now)
        queueing = queueing or Queueing(self.key, self.key)  # only check
        expiry = int(self.revisit * 2) + 1
        return bool(
            self._seen_or_add(
                keys=keys + queueing.keys(),
                args=[*queueing.args(), expiry, self.error_rate, self.capacity, fingerprint],
            )
        )
