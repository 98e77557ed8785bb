"""SIGKILL of a real crawl at several moments: no process of ours outlives it, and a rerun
ends with what an undisturbed crawl of the same site stores (every article once, the same
incidents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.site import synthetic_site
from tests.fault_runs import Outcome, kill_when, outcome, run, start, stored_documents, write_config
from tests.process_tree import command_line, descendants, wait_until_gone

pytestmark = pytest.mark.faults
ARTICLES = 160
ORPHAN_SECONDS = 5


@pytest.fixture(scope="module")
def site():
    with serve(synthetic_site(ARTICLES, seed=23)) as server:
        yield server.url


@pytest.fixture(scope="module")
def undisturbed(site, tmp_path_factory) -> Outcome:
    tmp = tmp_path_factory.mktemp("undisturbed")
    write_config(tmp, site)
    result = run(tmp, "crawl")
    assert result.returncode == 0, result.stderr
    return outcome(tmp)


def has_worker(pid: int) -> bool:
    return any("multiprocessing" in command_line(child) for child in descendants(pid))


# Moments: as the analysis worker starts, with some documents stored, deep into the crawl.
@pytest.mark.parametrize("stored_before_kill", [0, 20, 80])
def test_killed_crawl_leaves_no_process_and_a_rerun_equals_an_undisturbed_crawl(
    site, undisturbed, tmp_path: Path, stored_before_kill: int
):
    write_config(tmp_path, site)
    crawl = start(tmp_path, "crawl")

    def ready() -> bool:
        return has_worker(crawl.pid) and stored_documents(tmp_path) >= stored_before_kill

    children = kill_when(crawl, ready, after=0.2)
    assert children, "the crawl had started no child process"
    survivors = wait_until_gone(children, ORPHAN_SECONDS)
    assert not survivors, [command_line(pid) for pid in survivors]

    result = run(tmp_path, "crawl")
    assert result.returncode == 0, result.stderr
    after = outcome(tmp_path)
    assert after.lost(undisturbed) == 0
    assert after.duplicates() == 0
    assert set(after.urls) == set(undisturbed.urls)
    assert after.incidents_differing(undisturbed) == 0
