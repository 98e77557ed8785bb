"""The shared Redis frontier under faults, into a SQLite store: Redis restarted in the
middle of a crawl, and the crawling worker SIGKILLed. After a rerun the store holds what
an undisturbed crawl of the same site stores: every article once, the same incidents.

Redis here is a private ``redis-server`` of this test (``scripts/redis.sh``), so it can be
stopped and started again on its port without touching the suite's shared one; like the
one ``scripts/redis.sh`` runs, it keeps nothing on disk, so a restart empties the queue.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site
from tests.fault_runs import ROOT, Outcome, command, outcome, run, stored_documents, write_config
from tests.fault_table import record
from tests.process_tree import descendants, wait_until_gone

pytestmark = [pytest.mark.redis, pytest.mark.faults]
ARTICLES = 160
SCRIPT = ROOT / "scripts" / "redis.sh"


@dataclass
class PrivateRedis:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def script(self, *args: str) -> None:
        environment = {**os.environ, "HOTWATCH_REDIS_DIR": str(self.directory)}
        subprocess.run(["bash", str(SCRIPT), *args, "--port", str(self.port)],
                       env=environment, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.script("start")

    def stop(self) -> None:
        self.script("stop")


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if subprocess.run(["sh", "-c", "command -v redis-server"], capture_output=True).returncode:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = PrivateRedis(tmp_path / "redis", port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site():
    with serve(synthetic_site(ARTICLES, seed=31)) as server:
        yield server.url


@pytest.fixture
def undisturbed(site, redis, tmp_path) -> Outcome:
    """An undisturbed crawl over the frontier (its own key prefix): what it stores, and
    the incidents in the order of arrival a frontier crawl gives."""
    tmp = tmp_path / "undisturbed"
    tmp.mkdir()
    queue_config(tmp, site, redis, prefix="undisturbed")
    assert run(tmp, "crawl").returncode == 0
    return outcome(tmp)


def queue_config(tmp: Path, site: str, redis: PrivateRedis, *, prefix: str = "faults") -> None:
    queue = f'\n[queue]\nurl = "{redis.url}"\nprefix = "{prefix}"\nvisibility_timeout = 5\n'
    write_config(tmp, site, workers=0, extra=queue)


def crawl_until(tmp: Path, stored: int) -> subprocess.Popen[bytes]:
    log = (tmp / "crawl.log").open("ab")
    crawl = subprocess.Popen(command(tmp, "crawl"), stdout=log, stderr=log, cwd=ROOT)
    deadline = time.monotonic() + 180
    while stored_documents(tmp) < stored and crawl.poll() is None:
        assert time.monotonic() < deadline, "the crawl stored too little in time"
        time.sleep(0.1)
    return crawl


def test_redis_restarted_mid_crawl_then_a_rerun_equals_an_undisturbed_crawl(
    site, undisturbed, redis, tmp_path
):
    queue_config(tmp_path, site, redis)
    crawl = crawl_until(tmp_path, ARTICLES // 3)
    redis.stop()
    time.sleep(2)
    redis.start()
    try:
        crawl.wait(timeout=300)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    rerun = run(tmp_path, "crawl")
    after = outcome(tmp_path)
    record("Redis restarted mid-crawl (frontier)", lost=after.lost(undisturbed),
           duplicates=after.duplicates(), incidents=after.incidents_differing(undisturbed))
    log = (tmp_path / "crawl.log").read_text(errors="replace")
    assert "Traceback" not in log and "Exception in callback" not in log, log[-3000:]
    if crawl.returncode:  # Redis went away under it: one line says so
        assert "Redis" in log.strip().splitlines()[-1], log[-2000:]
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert (after.lost(undisturbed), after.duplicates()) == (0, 0)
    assert after.incidents_differing(undisturbed) == 0


def test_a_worker_killed_mid_crawl_then_a_rerun_equals_an_undisturbed_crawl(
    site, undisturbed, redis, tmp_path
):
    queue_config(tmp_path, site, redis)
    crawl = crawl_until(tmp_path, ARTICLES // 3)
    children = descendants(crawl.pid)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    orphans = wait_until_gone(children, 5)
    time.sleep(5)  # the visibility timeout: leased requests come back
    rerun = run(tmp_path, "crawl")
    after = outcome(tmp_path)
    record("frontier worker SIGKILLed", lost=after.lost(undisturbed),
           duplicates=after.duplicates(), incidents=after.incidents_differing(undisturbed),
           orphans=len(orphans))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert (after.lost(undisturbed), after.duplicates(), len(orphans)) == (0, 0, 0)
    assert after.incidents_differing(undisturbed) == 0
