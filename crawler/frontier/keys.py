"""The Redis keys of one frontier, in one place, so workers, status and clear agree."""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from scrapy.settings import BaseSettings


class FrontierUnavailable(Exception):
    """Redis cannot be reached or answers with an error; the message is one line."""


LOST = "the queue Redis went away mid-crawl"  # begins the crawl's failure message
#: Sent (``error``) by a frontier component whose Redis call failed mid-crawl.
frontier_lost = object()


@dataclass(frozen=True)
class FrontierKeys:
    prefix: str = "hotwatch"

    @property
    def sources(self) -> str:
        """Hash: source name -> the JSON source definition workers crawl it with."""
        return f"{self.prefix}:sources"

    @property
    def workers(self) -> str:
        """Hash: worker id -> JSON heartbeat (host, pid, seen, last error)."""
        return f"{self.prefix}:workers"

    @property
    def incidents_lock(self) -> str:
        return f"{self.prefix}:incidents-lock"

    def requests(self, source: str) -> str:
        """Sorted set of serialised requests waiting, by priority."""
        return f"{self.prefix}:{source}:requests"

    def leases(self, source: str) -> str:
        """Sorted set of serialised requests taken by a worker, by lease deadline."""
        return f"{self.prefix}:{source}:leases"

    def articles(self, source: str) -> str:
        """Sorted set of article fingerprints by fetch time (or Bloom filter generations)."""
        return f"{self.prefix}:{source}:articles"

    def seeding(self, source: str) -> str:
        """Set of fingerprints fetched once per seeding: list pages and feeds, and articles
        too when ``revisit_hours`` is 0."""
        return f"{self.prefix}:{source}:seeding"

    def pace(self, domain: str) -> str:
        """The domain's next free moment (``domain_delay``)."""
        return f"{self.prefix}:pace:{domain}"

    def slots(self, domain: str) -> str:
        """Sorted set: the domain's download slots taken, by lease deadline."""
        return f"{self.prefix}:slots:{domain}"

    def slot_queue(self, domain: str) -> list[str]:
        """Who waits for the domain's slots: a sorted set of tickets (first come, first
        served), a sorted set of when each waiter last asked, and the ticket counter."""
        base = self.slots(domain)
        return [f"{base}:waiting", f"{base}:asked", f"{base}:tickets"]

    def source_keys(self, source: str) -> list[str]:
        return [
            self.requests(source),
            self.leases(source),
            self.articles(source),
            self.seeding(source),
        ]


def connect(url: str) -> Redis:
    """A checked connection to the frontier's Redis (``FrontierUnavailable`` if not there)."""
    try:
        server = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        server.ping()
    except (RedisError, ValueError) as error:
        raise FrontierUnavailable(f"queue Redis at {url} is unreachable: {error}") from error
    return server


def keys_from_settings(settings: BaseSettings) -> FrontierKeys:
    return FrontierKeys(settings.get("HOTWATCH_FRONTIER_PREFIX") or "hotwatch")
