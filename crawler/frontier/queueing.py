"""A duplicate check and the queueing of what it lets through, in one Redis script.

Each check script of the frontier (``dupefilter``, ``bloom``) ends with ``SETTLE``; it
takes a ``Queueing``'s keys after its own keys, and its arguments before its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Ends every check script. KEYS[#KEYS - 1]: the pending queue, KEYS[#KEYS]: the leases.
# ARGV[1]: score, ARGV[2]: the serialised request ('' = only check), ARGV[3]: the lease
# of the request it replaces ('' = none), which goes either way (queued or seen).
SETTLE = """
local function settle(seen)
    if ARGV[3] ~= '' then redis.call('ZREM', KEYS[#KEYS], ARGV[3]) end
    if seen == 0 and ARGV[2] ~= '' then redis.call('ZADD', KEYS[#KEYS - 1], ARGV[1], ARGV[2]) end
    return seen
end
"""


@dataclass(frozen=True)
class Queueing:
    """Where a request that was not seen goes, in the same script as the check."""

    queue_key: str
    leases_key: str
    score: float = 0.0
    data: bytes = b""  # empty: check only
    lease: bytes = b""  # the lease of the request this one replaces (a redirect)

    def keys(self) -> list[str]:
        return [self.queue_key, self.leases_key]

    def args(self) -> list[Any]:
        return [self.score, self.data, self.lease]
