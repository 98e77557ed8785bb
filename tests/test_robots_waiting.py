"""Every request that waits while robots.txt is fetched is checked against it.

Scrapy 2.13+ awaits the one Deferred the robots.txt middleware keeps per host from
every waiting request; the first waiter takes the parser and the others get None,
which Scrapy reads as "no robots.txt": they went out unchecked. The site's own
robots.txt disallows /private/; several start URLs of one host wait together.
"""

from __future__ import annotations

import pytest

from hotwatch.demo.synthetic import synthetic_site
from tests.counting_site import CountingSite
from tests.frontier_processes import finish, hotwatch
from tests.redis_fixtures import queue_prefix, redis_url  # noqa: F401 (fixtures)
from tests.test_frontier_worker import write_config

PRIVATE = [f"/private/{n}.html" for n in range(4)]


@pytest.mark.parametrize(
    "frontier", [pytest.param(True, marks=pytest.mark.redis), False],
    ids=["frontier", "in-process"],
)
def test_requests_waiting_for_robots_txt_are_checked_against_it(
    tmp_path, request, frontier
):
    with CountingSite(synthetic_site(10)) as site:
        starts = [f"{site.url}/news/index.html", *(site.url + path for path in PRIVATE)]
        queue = {}
        if frontier:
            queue = {"redis": request.getfixturevalue("redis_url"),
                     "prefix": request.getfixturevalue("queue_prefix")}
        config = write_config(tmp_path, starts, **queue)
        (summary,) = finish(hotwatch(config, "data", "crawl", "--json"))["sources"]
        requests = dict(site.requests)

    assert requests["/robots.txt"] == 1
    assert [requests.get(path, 0) for path in PRIVATE] == [0] * 4
    assert summary["skip_reasons"] == {"disallowed by robots.txt": 4}
    assert summary["fetched"] == 10
