"""A Bloom filter over Redis bitmaps, in time generations, for 10^8 seen article URLs.

Exact fingerprints cost tens of bytes each in Redis; a Bloom filter costs
``-ln(p) / ln(2)^2`` bits per URL (14.4 bits at p = 0.001). Bits cannot be taken out,
so URLs are kept in generations of ``revisit`` seconds: a URL counts as seen while it is
in the current or the previous generation, and each generation key expires after two.
A URL is thus not fetched again for at least ``revisit`` seconds and at most twice that.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from crawler.frontier.queueing import SETTLE, Queueing

MAX_BITS = 2**32  # a Redis string holds at most 512 MB

# KEYS: current, previous generation. ARGV[4]: expiry seconds, then the bit offsets.
SEEN_OR_ADD = SETTLE + """
local in_current, in_previous = 1, 1
for i = 5, #ARGV do
    if redis.call('GETBIT', KEYS[1], ARGV[i]) == 0 then in_current = 0 end
    if redis.call('GETBIT', KEYS[2], ARGV[i]) == 0 then in_previous = 0 end
end
if in_current == 1 or in_previous == 1 then return settle(1) end
for i = 5, #ARGV do redis.call('SETBIT', KEYS[1], ARGV[i], 1) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return settle(0)
"""


def bloom_size(capacity: int, error_rate: float) -> tuple[int, int]:
    """(bits, hash functions) for ``capacity`` items at ``error_rate`` false positives."""
    bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
    bits = min(bits, MAX_BITS)
    hashes = max(1, round(bits / capacity * math.log(2)))
    return bits, hashes


class RedisBloom:
    def __init__(
        self, server: Any, key: str, *, capacity: int, error_rate: float, revisit: float
    ) -> None:
        self.server = server
        self.key = key
        self.bits, self.hashes = bloom_size(capacity, error_rate)
        self.revisit = max(1.0, revisit)
        self._seen_or_add = server.register_script(SEEN_OR_ADD)

    def offsets(self, fingerprint: bytes) -> list[int]:
        """Double hashing (Kirsch-Mitzenmacher) over a 16-byte digest of the fingerprint."""
        digest = hashlib.blake2b(fingerprint, digest_size=16).digest()
        first, second = int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:], "big") | 1
        return [(first + i * second) % self.bits for i in range(self.hashes)]

    def seen_or_add(
        self, fingerprint: bytes, now: float | None = None, *, queueing: Queueing | None = None
    ) -> bool:
        """True if seen; else adds it (and queues the request as ``queueing`` says)."""
        generation = int((now or time.time()) // self.revisit)
        keys = [f"{self.key}:{generation}", f"{self.key}:{generation - 1}"]
        queueing = queueing or Queueing(self.key, self.key)  # only check
        expiry = int(self.revisit * 2) + 1
        return bool(
            self._seen_or_add(
                keys=keys + queueing.keys(),
                args=[*queueing.args(), expiry, *self.offsets(fingerprint)],
            )
        )
