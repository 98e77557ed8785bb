"""Incidents updated incrementally inside the store equal a full rebuild, on both backends.

Each test runs on SQLite and on Elasticsearch (a real node at ``HOTWATCH_ES_URL``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any

import pytest

import analysis.incidents.placing as incidents_module
import analysis.incidents.state as state_module
from analysis.incidents import fingerprint
from analysis.tags import regions
from index import Store, StoredDocument
from index.incident_records import incident_features, incident_record
from index.incident_summary import IncidentSummary
from index.incidents import rebuild_incidents, stored_summaries, update_incidents
from tests.store_backends import BACKENDS, close_and_drop, fresh_prefix, open_backend
from tests.test_incidents import (
    OTHER_CITY,
    REPOST,
    RESPONSE,
    REWRITE,
    SAME_CITY_LATER,
    START,
    STORY,
    UNRELATED,
    _post,
    _stored,
)

NOW = (START + timedelta(days=90)).replace(tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path) -> Iterator[Any]:
    """A factory of empty stores of one backend; all closed (and their indices deleted) after."""
    opened: list[tuple[Store, str]] = []

    def make(name: str) -> Store:
        prefix = fresh_prefix("incr")
        store = open_backend(request.param, tmp_path / name, prefix)
        opened.append((store, prefix))
        return store

    yield make
    for store, prefix in opened:
        close_and_drop(store, prefix)


def story_corpus() -> list[StoredDocument]:
    """Reports of several events over three months, with reposts and follow-ups, by date."""
    story = "https://news.example.cn/zz-story"
    docs = [
        _stored(story, STORY, 0),
        _stored("https://farm.example.com/a/123", REPOST, 0.3),
        _stored("https://cs.example.cn/hotline-unreachable", OTHER_CITY, 0.5),
        _stored("https://portal.example.cn/rewrite", REWRITE, 1),
        _post("https://weibo.example.cn/b", story, "转发微博 太气人了", 1.5, reposts=800),
        _post("https://weibo.example.cn/c", "https://weibo.example.cn/b", "转发微博", 2, likes=9),
        _stored("https://news.example.cn/festival", UNRELATED, 2),
        _stored("https://gov.example.cn/tongbao", RESPONSE, 3),
        _stored("https://news.example.cn/zz-streetlight", SAME_CITY_LATER, 60),
    ]
    # Copies of the other city's report on many sites over the following weeks.
    for n in range(12):
        title, text = OTHER_CITY
        docs.append(
            _stored(f"https://copy{n}.example.cn/cs", (f"{title}（转载{n}）", text), 4 + 3 * n)
        )
    return sorted(docs, key=lambda d: d.published_at or START)


def incidents_of(store: Store) -> dict[str, str | None]:
    return {doc.url: doc.incident_id for doc in store.iter_documents()}


def records_of(store: Store) -> list[dict[str, Any]]:
    return sorted((r.to_json() for r in store.list_incidents(limit=1000)), key=lambda r: r["id"])


def states_of(store: Store) -> list[dict[str, Any]]:
    keys = [f"i:{r.id}" for r in store.list_incidents(limit=1000)]
    states = sorted((s for s, _ in store.incident_states(keys)), key=lambda s: s["id"])
    return [{**s, "bigrams": sorted(s["bigrams"].split())} for s in states]  # a set


def assert_indexed_under_its_keys(store: Store) -> None:
    """Each placement state is found under exactly the keys it names, no fewer, no more."""
    for state in states_of(store):
        keys = {
            *state["band_keys"],
            *state["place_keys"],
            *(f"c:{clue}" for clue in state["clues"]),
            f"i:{state['id']}",
        }
        found = {s["id"]: set(under) for s, under in store.incident_states(sorted(keys))}
        assert found[state["id"]] == keys


def test_incremental_batches_equal_a_rebuild(stores):
    docs = story_corpus()
    incremental, rebuilt = stores("incremental"), stores("rebuilt")
    for start in range(0, len(docs), 4):  # crawls of four documents, in order of publication
        incremental.upsert_many(docs[start : start + 4])
        moment = (docs[min(start + 3, len(docs) - 1)].published_at or START) + timedelta(hours=1)
        update_incidents(incremental, now=moment)
    update_incidents(incremental, now=NOW)
    rebuilt.upsert_many(docs)
    rebuild_incidents(rebuilt, now=NOW)

    assert incidents_of(incremental) == incidents_of(rebuilt)
    assert records_of(incremental) == records_of(rebuilt)
    assert states_of(incremental) == states_of(rebuilt)
    assert_indexed_under_its_keys(incremental)
    ids = incidents_of(rebuilt)
    story = ids["https://news.example.cn/zz-story"]
    assert story and ids["https://weibo.example.cn/c"] == story
    assert ids["https://gov.example.cn/tongbao"] == story
    assert ids["https://news.example.cn/festival"] is None
    assert len({ids[f"https://copy{n}.example.cn/cs"] for n in range(12)}) == 1
    assert len(records_of(rebuilt)) == 3
    assert not list(incremental.iter_documents(pending=True))


def test_a_recrawl_of_unchanged_documents_places_nothing_again(stores):
    store = stores("store")
    docs = story_corpus()
    store.upsert_many(docs)
    update_incidents(store, now=NOW)
    before = incidents_of(store)
    recrawled = [replace(d, incident_id=None, likes=d.likes + 1) for d in docs]
    store.upsert_many(recrawled)
    assert not list(store.iter_documents(pending=True))  # engagement is no placement feature
    assert incidents_of(store) == before
    assert update_incidents(store, now=NOW) == 0


def test_an_edited_report_moves_to_the_incident_it_now_describes(stores):
    store = stores("store")
    docs = story_corpus()
    store.upsert_many(docs)
    update_incidents(store, now=NOW)
    ids = incidents_of(store)
    story, other = ids["https://news.example.cn/zz-story"], ids[docs[2].url]
    story_size, other_size = (
        store.get_incident(story).documents,
        store.get_incident(other).documents,
    )
    edited = replace(docs[3], title=OTHER_CITY[0], text=OTHER_CITY[1] + "（更新）")
    edited.regions = regions(edited.text, title=edited.title)
    store.upsert(edited)
    assert [d.url for d in store.iter_documents(pending=True)] == [edited.url]
    assert update_incidents(store, now=NOW) == 1
    after = incidents_of(store)
    assert after[edited.url] == other
    assert after["https://news.example.cn/zz-story"] == story
    assert store.get_incident(story).documents == story_size - 1
    assert store.get_incident(other).documents == other_size + 1
    counts = {r.id: r.documents for r in store.list_incidents(limit=100)}
    assert sum(counts.values()) == sum(1 for v in after.values() if v)


def test_an_update_reads_only_the_new_documents_and_their_candidates(stores):
    store = stores("store")
    docs = story_corpus()
    filler = [
        _stored(
            f"https://filler.example.cn/{n}", (f"第{n}期 社区文化节", "居民观看演出。"), 0.1 * n
        )
        for n in range(60)
    ]
    last_copy = next(d for d in docs if d.url == "https://copy11.example.cn/cs")
    store.upsert_many([d for d in docs if d is not last_copy] + filler)
    update_incidents(store, now=NOW)
    counting = CountingStore(store)
    store.upsert(last_copy)
    assert update_incidents(counting, now=NOW) == 1
    # Only the new copy: the record of the incident it joined (the report and its other
    # copies) is updated from the incident's stored summary, not from its members.
    assert counting.documents_read == 1
    joined = incidents_of(store)[last_copy.url]
    members = list(store.iter_documents(incident_id=joined))
    assert len(members) == 13
    assert store.get_incident(joined) == incident_record(joined, members, now=NOW)


class CountingStore:
    """A real store, counting the documents it hands out."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.documents_read = 0

    def iter_documents(self, *args: Any, **kwargs: Any) -> Iterator[StoredDocument]:
        for doc in self.store.iter_documents(*args, **kwargs):
            self.documents_read += 1
            yield doc

    def get(self, doc_id: str) -> StoredDocument:
        self.documents_read += 1
        return self.store.get(doc_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_summaries_after_new_edited_and_removed_reports_equal_fresh_ones(stores):
    """An incident's record is updated from running sums; after reports are added, moved to
    another incident by an edit, edited in place and taken out (no longer relevant), every
    stored summary and record equals one made from scratch from the incident's members."""
    store = stores("store")
    docs = story_corpus()
    store.upsert_many(docs[:12])
    update_incidents(store, now=NOW)
    by_url = {d.url: d for d in docs}
    moved = replace(
        by_url["https://portal.example.cn/rewrite"],
        title=OTHER_CITY[0],
        text=OTHER_CITY[1] + "（更新）",
    )
    moved.regions = regions(moved.text, title=moved.title)
    taken_out = replace(by_url["https://copy3.example.cn/cs"], relevant=False)
    edited = replace(
        by_url["https://weibo.example.cn/b"], text="转发微博 太气人了！！", reposts=900
    )
    store.upsert_many([*docs[12:], moved, taken_out, edited])
    update_incidents(store, now=NOW)

    ids = incidents_of(store)
    assert ids[moved.url] == ids["https://cs.example.cn/hotline-unreachable"]
    assert ids[taken_out.url] is None
    assert ids[edited.url] == ids["https://news.example.cn/zz-story"]
    incident_ids = {r.id for r in store.list_incidents(limit=1000)}
    summaries = stored_summaries(store, incident_ids)
    assert set(summaries) == incident_ids == set(ids.values()) - {None}
    for incident_id in incident_ids:
        members = list(store.iter_documents(incident_id=incident_id))
        fresh = IncidentSummary.of(members)
        assert summaries[incident_id].to_json() == fresh.to_json()
        assert store.get_incident(incident_id) == incident_record(incident_id, members, now=NOW)
    story = store.get_incident(ids["https://news.example.cn/zz-story"])
    assert story.reach == 900 + 9


def test_a_store_names_the_keys_it_found_and_caps_each_key(stores):
    store = stores("store")
    store.write_incident_states(
        {f"inc-{n}": (["b0:shared", f"p:own:{n}"], {"id": f"inc-{n}"}) for n in range(5)}
    )
    found = store.incident_states(["b0:shared", "p:own:3"])
    assert sorted(s["id"] for s, _ in found) == [f"inc-{n}" for n in range(5)]
    assert {s["id"]: sorted(keys) for s, keys in found}["inc-3"] == ["b0:shared", "p:own:3"]
    capped = store.incident_states(["b0:shared", "p:own:3"], limits={"b0:shared": 2})
    assert sum("b0:shared" in keys for _, keys in capped) == 2
    assert any("p:own:3" in keys for _, keys in capped)


def _placed_both_ways(stores, docs: list[StoredDocument]) -> tuple[Any, Any]:
    """The same documents placed in batches of four into one store, rebuilt in another."""
    incremental, rebuilt = stores("incremental"), stores("rebuilt")
    for start in range(0, len(docs), 4):
        incremental.upsert_many(docs[start : start + 4])
        update_incidents(incremental, now=NOW)
    rebuilt.upsert_many(docs)
    rebuild_incidents(rebuilt, now=NOW)
    return incremental, rebuilt


def test_common_bands_name_no_candidates_on_either_path(stores, monkeypatch):
    """A band shared by more incidents than ``COMMON_BAND`` is ignored; the store hands out
    only one more than that for it, and the incremental path still equals a rebuild."""
    monkeypatch.setattr(incidents_module, "COMMON_BAND", 0)  # every band is common
    docs = story_corpus()
    incremental, rebuilt = _placed_both_ways(stores, docs)
    assert incidents_of(incremental) == incidents_of(rebuilt)
    assert records_of(incremental) == records_of(rebuilt)


def test_a_capped_vocabulary_keeps_the_latest_bigrams_on_either_path(stores, monkeypatch):
    """An incident remembers the bigrams of its latest reports, ``VOCABULARY`` at most: the
    least recently seen go first, in the same order on the incremental path and a rebuild."""
    monkeypatch.setattr(state_module, "VOCABULARY", 40)
    docs = story_corpus()
    incremental, rebuilt = _placed_both_ways(stores, docs)
    assert incidents_of(incremental) == incidents_of(rebuilt)
    assert states_of(incremental) == states_of(rebuilt)
    states = states_of(rebuilt)
    assert max(len(state["bigrams"]) for state in states) == 40
    latest = fingerprint(incident_features(docs[-1])).bigrams
    incident = incidents_of(rebuilt)[docs[-1].url]
    kept = next(set(s["bigrams"]) for s in states if s["id"] == incident)
    assert set(sorted(latest)[-40:]) <= kept  # the latest report's, sorted, come last
