"""robots.txt as RFC 9309 says: unreachable means "disallow all", not "allow all".

Scrapy's own middleware treats a robots.txt that times out or fails as if it allowed
everything. RFC 9309 (2.3.1.4) asks the opposite for server and network errors: a 5xx
answer, a timeout or a refused connection after Scrapy's retries stops the crawl of
that host for this run, and every page it would have fetched is reported as failed
with the reason "robots.txt unreachable (HTTP 500)" or the like. A 4xx answer (no
robots.txt) allows everything.

Scrapy (2.13+) lets every request that arrives while a host's robots.txt is being
fetched await the one Deferred it keeps for the host; awaiting a Deferred consumes
its result, so the first waiter got the parser and the others None, "no robots.txt":
they went out unchecked. Each waiter here gets a Deferred of its own.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.skips import ROBOTS_UNREACHABLE, RobotsUnreachable


class UnreachableRobots:
    """The parser for a host whose robots.txt could not be read: nothing is allowed."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> Any:
        shared = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(shared, Deferred):
            return await super().robot_parser(request)
        own: Deferred[Any] = Deferred()

        def relay(parser: Any) -> Any:
            own.callback(parser)
            return parser  # for the next waiter

        shared.addCallback(relay)
        return await maybe_deferred_to_future(own)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status < 500:
            await super()._parse_robots(response, netloc, request)
            return
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        self._settle(netloc, UnreachableRobots(f"HTTP {response.status}"))

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._settle(netloc, UnreachableRobots(str(exc) or type(exc).__name__))

    def _settle(self, netloc: str, parser: UnreachableRobots) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser  # type: ignore[assignment]
        if hasattr(waiting, "callback"):
            waiting.callback(parser)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, UnreachableRobots):
            raise RobotsUnreachable(f"{ROBOTS_UNREACHABLE} ({rp.problem})")
        super().process_request_2(rp, request)
