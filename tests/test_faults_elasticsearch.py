"""Elasticsearch killed mid-crawl and started again: with no manual step (no flush, no
rebuild) the store ends with the incidents of an undisturbed crawl of the same site."""

from __future__ import annotations

import json
import signal
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site
from index import open_store
from tests.es_proxy import FaultyProxy
from tests.fault_table import record
from tests.test_elasticsearch_crawl import (
    finish,
    hotwatch,
    node,  # noqa: F401 (a fixture)
    wait_for_documents,
    write_config,
)

pytestmark = [pytest.mark.elasticsearch, pytest.mark.faults]
ARTICLES = 300


def incidents(config: Path) -> frozenset[frozenset[str]]:
    """The store's incidents as sets of member URLs (incident ids may differ between runs)."""
    options = tomllib.loads(config.read_text(encoding="utf-8"))["index"]
    store = open_store(options, config.parent / "data")
    try:
        members: dict[str, set[str]] = {}
        for doc in store.iter_documents():
            if doc.incident_id:
                members.setdefault(doc.incident_id, set()).add(doc.url)
        return frozenset(frozenset(m) for m in members.values())
    finally:
        store.close()


def stored(config: Path) -> Counter[str]:
    """Each stored URL and how many documents carry it."""
    options = tomllib.loads(config.read_text(encoding="utf-8"))["index"]
    store = open_store(options, config.parent / "data")
    try:
        return Counter(doc.url for doc in store.iter_documents())
    finally:
        store.close()


def test_node_killed_mid_crawl_then_restarted_gives_the_undisturbed_incidents(
    tmp_path,
    node,  # noqa: F811
):
    undisturbed_dir, killed_dir = tmp_path / "undisturbed", tmp_path / "killed"
    undisturbed_dir.mkdir()
    killed_dir.mkdir()
    with serve(synthetic_site(ARTICLES, seed=13)) as site:
        start = f"{site.url}/news/index.html"
        reference = write_config(undisturbed_dir, node, "synthetic", start)
        config = write_config(killed_dir, node, "synthetic", start)
        node.start(keep=True)
        finish(hotwatch(reference, "crawl"))
        crawl = hotwatch(config, "crawl", "--json")
        wait_for_documents(config, node, at_least=60, crawl=crawl)
        node.stop_node(1, kill=True)
        stdout, _ = finish(crawl)
    (summary,) = json.loads(stdout)["sources"]
    assert summary["spooled"] > 0

    node.start(keep=True)
    # Any command that opens the store replays the spool; incidents is what a user looks at.
    listed, _ = finish(hotwatch(config, "incidents", "--json"))
    expected, found = incidents(reference), incidents(config)
    held = stored(config)
    record("Elasticsearch SIGKILLed mid-crawl, restarted",
           lost=len(set(stored(reference)) - set(held)),
           duplicates=sum(n - 1 for n in held.values()), incidents=len(expected ^ found))
    assert len(expected) > 3
    assert found == expected
    assert json.loads(listed)  # the listing itself already saw them


def bulk_answered() -> Callable[[str], bool]:
    """The node indexed the spooled documents; the replaying command has not heard so."""
    return lambda path: "_bulk" in path


def placing() -> Callable[[str], bool]:
    """The documents are indexed and the command places them (reads incident states)."""
    indexed = False

    def condition(path: str) -> bool:
        nonlocal indexed
        indexed = indexed or "_bulk" in path
        return indexed and "incident" in path and "_bulk" not in path

    return condition


REPLAY_MOMENTS = {"bulk-answered": bulk_answered, "placing": placing}


@pytest.mark.parametrize("moment", REPLAY_MOMENTS)
def test_a_spool_replay_killed_then_run_again_gives_the_undisturbed_store(
    tmp_path,
    node,  # noqa: F811
    moment,
):
    undisturbed_dir, killed_dir = tmp_path / "undisturbed", tmp_path / "killed"
    undisturbed_dir.mkdir()
    killed_dir.mkdir()
    with serve(synthetic_site(ARTICLES, seed=17)) as site:
        start = f"{site.url}/news/index.html"
        config = write_config(killed_dir, node, "synthetic", start)
        stdout, _ = finish(hotwatch(config, "crawl", "--json"))  # the node is not up yet
        (summary,) = json.loads(stdout)["sources"]
        assert summary["spooled"] == ARTICLES
        node.start(keep=True)
        reference = write_config(undisturbed_dir, node, "synthetic", start)
        finish(hotwatch(reference, "crawl"))

    spool = killed_dir / "data" / "es-spool" / "spool.jsonl"
    direct = config.read_text(encoding="utf-8")
    proxy = FaultyProxy(node.urls[0])
    try:
        proxy.hold_when(REPLAY_MOMENTS[moment]())
        config.write_text(direct.replace(node.urls[0], proxy.url), encoding="utf-8")
        replay = hotwatch(config, "incidents", "--json")
        assert proxy.holding.wait(240), "the replay never reached the moment"
        replay.send_signal(signal.SIGKILL)
        replay.communicate()
    finally:
        proxy.release()
        proxy.close()
        config.write_text(direct, encoding="utf-8")

    finish(hotwatch(config, "incidents", "--json"))  # opening the store replays again
    held, expected, found = stored(config), incidents(reference), incidents(config)
    record("spool replay SIGKILLed", lost=len(set(stored(reference)) - set(held)),
           duplicates=sum(n - 1 for n in held.values()), incidents=len(expected ^ found))
    assert not spool.exists()
    assert set(held) == set(stored(reference)) and set(held.values()) == {1}
    assert found == expected
    doctor = hotwatch(config, "doctor")
    out, err = doctor.communicate(timeout=300)
    assert doctor.returncode == 0, out + err
