"""SIGKILL of ``hotwatch run`` at seeded random moments (``tests/random_kills.py``), once
in each phase: after the reruns the store equals an undisturbed run's, the digest was
sent once, no process of ours is left and ``hotwatch doctor`` finds nothing.
``bench/faults.py --kills 20`` runs twenty of them."""

from __future__ import annotations

import random

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site
from tests.fault_table import record
from tests.random_kills import MOMENTS, killed_run, undisturbed

pytestmark = pytest.mark.faults
ARTICLES = 120


@pytest.fixture(scope="module")
def site():
    with serve(synthetic_site(ARTICLES, seed=29)) as server:
        yield server.url


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    return undisturbed(tmp_path_factory.mktemp("undisturbed"), site)


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_run_killed_at_a_random_moment_recovers_to_the_undisturbed_run(
    site, reference, tmp_path, moment
):
    rng = random.Random(f"{moment}-23")
    for attempt in range(3):  # a moment drawn after the run's end kills nothing: draw again
        killed = killed_run(tmp_path / str(attempt), site, ARTICLES, rng, moment=moment)
        if killed.killed:
            break
    assert killed.killed
    figures = killed.figures(reference)
    record("run SIGKILLed at a random moment", **figures)
    assert killed.reruns_ok
    assert killed.doctor.returncode == 0, killed.doctor.stdout + killed.doctor.stderr
    assert figures == dict.fromkeys(figures, 0)
    assert len(reference.urls) == ARTICLES and reference.incidents
