"""Elasticsearch killed mid-crawl and started again: with no manual step (no flush, no
rebuild) the store ends with the incidents of an undisturbed crawl of the same site."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.site import synthetic_site
from index import open_store
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
