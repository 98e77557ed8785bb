"""Requests in Redis that a worker leases instead of taking: nothing is lost to ``kill -9``.

A popped request moves from the source's pending set to its lease set with a
deadline; the worker acknowledges it once Scrapy is done with it (response handled,
items through the pipelines) and renews it meanwhile. Any pop first returns expired
leases to the pending set, so a request of a worker that died is served again after
the visibility timeout.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy_redis.queue import Base

from crawler.frontier.queueing import Queueing

LEASE_META = "hotwatch_lease"
REQUEUED_SCORE = -1_000_000  # a request that came back goes before the rest

# KEYS: pending, leases. ARGV: now, lease deadline, requeued score.
POP = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, member in ipairs(expired) do
    redis.call('ZREM', KEYS[2], member)
    redis.call('ZADD', KEYS[1], ARGV[3], member)
end
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
redis.call('ZADD', KEYS[2], ARGV[2], popped[1])
return popped[1]
"""


class LeasedQueue(Base):
    """scrapy-redis queue: a priority queue whose pops are leases until acknowledged."""

    def __init__(
        self,
        server: Any,
        spider: Any,
        key: str,
        serializer: Any = None,
        *,
        leases_key: str,
        visibility_timeout: float,
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.leases_key = leases_key
        self.visibility_timeout = visibility_timeout
        self._pop = server.register_script(POP)

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def leased(self) -> int:
        return int(self.server.zcard(self.leases_key))

    def queueing(self, request: Request) -> Queueing:
        """``request`` serialised for this queue; a retry or redirect of a leased request
        carries the lease it replaces."""
        lease = request.meta.pop(LEASE_META, b"")
        return Queueing(
            self.key, self.leases_key, -request.priority, self._encode_request(request), lease
        )

    def push(self, request: Request) -> None:
        """Queue ``request`` (in place of the leased request it retries, if any)."""
        queueing = self.queueing(request)
        pipe = self.server.pipeline()
        pipe.zadd(self.key, {queueing.data: queueing.score})
        if queueing.lease:
            pipe.zrem(self.leases_key, queueing.lease)
        pipe.execute()

    def pop(self, timeout: float = 0) -> Request | None:
        now = time.time()
        data = self._pop(
            keys=[self.key, self.leases_key],
            args=[now, now + self.visibility_timeout, REQUEUED_SCORE],
        )
        if data is None:
            return None
        request = self._decode_request(data)
        request.meta[LEASE_META] = data
        return request

    def renew(self, leases: list[bytes]) -> None:
        """Push the deadlines of leases still held further out (a live worker's requests
        that wait for a busy domain are not served to another worker meanwhile)."""
        deadline = time.time() + self.visibility_timeout
        self.server.zadd(self.leases_key, dict.fromkeys(leases, deadline), xx=True)

    def ack(self, lease: bytes) -> None:
        self.server.zrem(self.leases_key, lease)

    def clear(self) -> None:
        self.server.delete(self.key, self.leases_key)
