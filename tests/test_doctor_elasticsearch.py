"""``hotwatch doctor`` on Elasticsearch: a second copy of a document,
the index copy an interrupted reindex leaves, unplaced documents and a miscounted
incident are each made on purpose; doctor names them and ``--repair`` mends them."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from index.elasticsearch import ElasticsearchStore
from index.incidents import update_incidents
from tests.test_doctor import article

pytestmark = pytest.mark.elasticsearch
ES_URL = os.environ.get("HOTWATCH_ES_URL")


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, ElasticsearchStore]]:
    if not ES_URL:
        pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
    prefix = f"doctor-{uuid.uuid4().hex[:10]}-"
    config = tmp_path / "hotwatch.toml"
    config.write_text(
        f'[index]\nbackend = "elasticsearch"\nurls = ["{ES_URL}"]\n'
        f'index_prefix = "{prefix}"\nreplicas = 0\n',
        encoding="utf-8",
    )
    options = {"urls": [ES_URL], "index_prefix": prefix, "replicas": 0}
    store = ElasticsearchStore.from_options(options, data_dir=tmp_path / "data")
    store.upsert_many(article(n) for n in range(12))
    update_incidents(store)
    yield config, store
    store.client.indices.delete(index=f"{prefix}*", allow_no_indices=True)
    store.close()


def doctor(config: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(config.parent / "data"), "doctor",
              "--json", *args],
        env={"HOTWATCH_CONFIG": "", "HOTWATCH_ES_URL": "", "HOTWATCH_INDEX": ""},
    )
    return result.exit_code, json.loads(result.output)


def members(store: ElasticsearchStore) -> frozenset[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for doc in store.iter_documents():
        if doc.incident_id:
            groups.setdefault(doc.incident_id, set()).add(doc.url)
    return frozenset(frozenset(g) for g in groups.values())


def spool_one(store: ElasticsearchStore) -> str:
    store.spool.append([article(12).to_json()])
    return article(12).url


def second_copy(store: ElasticsearchStore) -> str:
    doc = store.client.get(index=store.documents, id=article(0).id)
    store.client.index(index=store.documents, id="a-second-copy", document=doc["_source"],
                       refresh=True)
    return article(0).url


def leftover_copy(store: ElasticsearchStore) -> str:
    name = f"{store.documents}-v9"
    store.client.indices.create(index=name)
    doc = store.client.get(index=store.documents, id=article(1).id)
    store.client.index(index=name, id=article(1).id, document=doc["_source"], refresh=True)
    return name


def unplace(store: ElasticsearchStore) -> str:
    doc = store.client.get(index=store.documents, id=article(2).id)
    store.client.index(index=store.documents, id=article(2).id,
                       document={**doc["_source"], "incident_pending": True}, refresh=True)
    return article(2).id


def miscount(store: ElasticsearchStore) -> str:
    record = store.list_incidents(limit=1)[0]
    store.put_incidents([replace(record, documents=record.documents + 3)])
    return record.id


DAMAGE: dict[str, Callable[[ElasticsearchStore], str]] = {
    "indexed-twice": second_copy,
    "leftover-index": leftover_copy,
    "unplaced": unplace,
    "incident-count": miscount,
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_doctor_names_each_damage_and_repair_mends_it(setup, kind):
    config, store = setup
    assert doctor(config)[0] == 0
    before = members(store)
    example = DAMAGE[kind](store)

    code, report = doctor(config)
    assert code == 1
    found = {f["kind"]: f for f in report["findings"]}
    assert kind in found, report
    assert found[kind]["example"] == example

    code, repaired = doctor(config, "--repair")
    assert code == 0, repaired
    assert repaired["remaining"] == []
    assert doctor(config) == (0, doctor(config)[1])
    assert members(store) == before


def test_a_spool_is_replayed_and_placed_when_the_store_opens_so_doctor_finds_it_whole(setup):
    config, store = setup
    before = members(store)
    spool_one(store)
    code, report = doctor(config)  # opening the store replays the spool, then places it
    assert (code, report["findings"]) == (0, [])
    after = members(store)
    assert any(article(12).url in group for group in after)
    assert len(after) == len(before)
