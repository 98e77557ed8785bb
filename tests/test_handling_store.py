"""Incident handling (status, assignee, response, history) in the store, on SQLite and on
Elasticsearch (a real node at ``HOTWATCH_ES_URL``): changes are checked and recorded, and
the state survives incremental updates, rebuilds, reindexing and copies both ways."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from index import IncidentNotFound, Store, document_id
from index.copy import copy_store
from index.handling import change_handling, handling_of
from index.handling_records import HandlingChange, InvalidChange
from index.incidents import rebuild_incidents, update_incidents
from tests.store_backends import BACKENDS, ES_URL, close_and_drop, fresh_prefix, open_backend
from tests.test_incremental_incidents import NOW, story_corpus

STORY_URL = "https://news.example.cn/zz-story"
AT = datetime(2023, 5, 13, 12, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path) -> Iterator[Any]:
    """A factory of empty stores: of the test's backend, or of a named one."""
    opened: list[tuple[Store, str]] = []

    def make(name: str, backend: str | None = None) -> Store:
        prefix = fresh_prefix("handling")
        store = open_backend(backend or request.param, tmp_path / name, prefix)
        opened.append((store, prefix))
        return store

    make.backend = request.param  # type: ignore[attr-defined]
    yield make
    for store, prefix in opened:
        close_and_drop(store, prefix)


def placed(store: Store) -> str:
    """Store the story corpus, place it, and return the story's incident id."""
    store.upsert_many(story_corpus())
    update_incidents(store, now=NOW)
    incident_id = store.get(document_id(STORY_URL)).incident_id
    assert incident_id
    return incident_id


def handle(store: Store, incident_id: str) -> None:
    """An analyst takes the incident, then a lead records the official response."""
    change_handling(
        store,
        incident_id,
        HandlingChange(status="handling", assignee="王敏", note="已联系金水区城管局"),
        user="wangmin",
        at=AT,
    )
    change_handling(
        store,
        incident_id,
        HandlingChange(status="responded", response_url="https://gov.example.cn/tongbao"),
        user="lead",
        at=AT + timedelta(hours=3),
    )


def history_of(store: Store, incident_id: str) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.user, e.field, e.old, e.new) for e in store.iter_history(incident_id)]


EXPECTED_HISTORY = [
    ("wangmin", "status", "new", "handling"),
    ("wangmin", "assignee", None, "王敏"),
    ("lead", "status", "handling", "responded"),
    ("lead", "response_url", None, "https://gov.example.cn/tongbao"),
    ("lead", "response_at", None, (AT + timedelta(hours=3)).isoformat()),
]


def test_a_change_is_stored_with_one_history_entry_per_field(stores):
    store = stores("store")
    incident_id = placed(store)
    assert handling_of(store, incident_id).status == "new"
    assert list(store.iter_history(incident_id)) == []
    handle(store, incident_id)

    state = handling_of(store, incident_id)
    assert (state.status, state.assignee, state.updated_by) == ("responded", "王敏", "lead")
    assert state.response_url == "https://gov.example.cn/tongbao"
    assert history_of(store, incident_id) == EXPECTED_HISTORY
    assert next(store.iter_history(incident_id)).note == "已联系金水区城管局"
    assert [s.incident_id for s in store.list_handling(statuses=("responded",))] == [incident_id]
    assert store.list_handling(assignee="王敏")[0].incident_id == incident_id
    assert store.list_handling(statuses=("new", "handling")) == []


def test_a_note_alone_is_history_and_a_repeat_is_no_change(stores):
    store = stores("store")
    incident_id = placed(store)
    change_handling(store, incident_id, HandlingChange(note="继续关注"), user="a", at=AT)
    _, entries = change_handling(store, incident_id, HandlingChange(status="new"), user="a")
    assert entries == []
    assert history_of(store, incident_id) == [("a", "note", None, None)]
    assert handling_of(store, incident_id).status == "new"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (HandlingChange(status="done"), "unknown status 'done'"),
        (HandlingChange(note="bad \udcff byte"), "the note is not valid UTF-8 text"),
        (HandlingChange(response_url="gov.example.cn/x"), "the response URL must start"),
    ],
)
def test_a_bad_change_says_why_and_changes_nothing(stores, change, message):
    store = stores("store")
    incident_id = placed(store)
    with pytest.raises(InvalidChange, match=message):
        change_handling(store, incident_id, change, user="a")
    assert store.get_handling([incident_id]) == {}
    assert list(store.iter_history()) == []


def test_an_unknown_incident_is_refused(stores):
    store = stores("store")
    placed(store)
    with pytest.raises(IncidentNotFound, match="no incident with id 'inc-gone'"):
        change_handling(store, "inc-gone", HandlingChange(status="closed"), user="a")
    assert list(store.iter_history()) == []


def test_handling_survives_a_rebuild_and_later_updates(stores):
    store = stores("store")
    incident_id = placed(store)
    handle(store, incident_id)
    rebuild_incidents(store, now=NOW)
    assert store.get(document_id(STORY_URL)).incident_id == incident_id
    assert handling_of(store, incident_id).status == "responded"
    assert history_of(store, incident_id) == EXPECTED_HISTORY
    copy = next(d for d in story_corpus() if "copy" in d.url)
    store.upsert(replace(copy, url="https://copy99.example.cn/cs"))
    update_incidents(store, now=NOW)
    assert handling_of(store, incident_id).status == "responded"


def test_handling_follows_the_documents_when_a_rebuild_renames_the_incident(stores):
    """Reports arriving late: the repost came first and named the incident; a rebuild
    replays by publication time, so the original story names it. Handling follows."""
    store = stores("store")
    docs = story_corpus()
    story = next(d for d in docs if d.url == STORY_URL)
    store.upsert_many([d for d in docs if d.url != STORY_URL])
    update_incidents(store, now=NOW)
    store.upsert(story)
    update_incidents(store, now=NOW)
    early_id = store.get(document_id(STORY_URL)).incident_id
    assert early_id
    handle(store, early_id)

    rebuild_incidents(store, now=NOW)
    renamed = store.get(document_id(STORY_URL)).incident_id
    assert renamed and renamed != early_id
    with pytest.raises(IncidentNotFound):
        store.get_incident(early_id)
    assert handling_of(store, renamed).status == "responded"
    assert handling_of(store, renamed).assignee == "王敏"
    history = history_of(store, renamed)
    assert history[:-1] == EXPECTED_HISTORY
    assert history[-1] == ("hotwatch", "moved", early_id, renamed)
    rebuild_incidents(store, now=NOW)  # again: nothing moves, nothing doubles
    assert len(history_of(store, renamed)) == len(EXPECTED_HISTORY) + 1


def test_handling_survives_copies_both_ways(stores):
    store = stores("source")
    incident_id = placed(store)
    handle(store, incident_id)
    other = "elasticsearch" if stores.backend == "sqlite" else "sqlite"
    if other == "elasticsearch" and not ES_URL:
        pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
    there, back = stores("there", other), stores("back")
    report = copy_store(store, there)
    assert (report.handling, report.history) == (1, len(EXPECTED_HISTORY))
    copy_store(store, there)  # twice: the history does not double
    copy_store(there, back)
    for copy in (there, back):
        assert handling_of(copy, incident_id) == handling_of(store, incident_id)
        assert history_of(copy, incident_id) == EXPECTED_HISTORY
        assert [e.to_json() for e in copy.iter_history()] == [
            e.to_json() for e in store.iter_history()
        ]


@pytest.mark.elasticsearch
@pytest.mark.parametrize("stores", ["elasticsearch"], indirect=True)  # only it reindexes
def test_handling_survives_a_reindex(stores):
    store = stores("store", "elasticsearch")
    incident_id = placed(store)
    handle(store, incident_id)
    store.reindex()  # type: ignore[attr-defined]
    assert handling_of(store, incident_id).status == "responded"
    assert history_of(store, incident_id) == EXPECTED_HISTORY
    assert store.get(document_id(STORY_URL)).incident_id == incident_id


def test_a_closed_incident_reopens_only_when_new_reports_lift_its_level(stores):
    store = stores("store")
    docs = story_corpus()  # the story is blue for its first four reports, yellow from the fifth
    store.upsert_many(docs[:3])
    update_incidents(store, now=NOW)
    incident_id = store.get(document_id(STORY_URL)).incident_id
    assert incident_id and store.get_incident(incident_id).level == "blue"
    change_handling(store, incident_id, HandlingChange(status="false_positive"), user="a", at=AT)
    assert handling_of(store, incident_id).closed_level == "blue"

    store.upsert(docs[3])  # a rewrite: more reports, the same level
    update_incidents(store, now=NOW)
    assert handling_of(store, incident_id).status == "false_positive"
    store.upsert(docs[4])  # a repost with 800 reposts lifts it to yellow
    update_incidents(store, now=NOW)
    assert store.get_incident(incident_id).level == "yellow"
    state = handling_of(store, incident_id)
    assert (state.status, state.closed_level, state.updated_by) == ("watching", None, "hotwatch")
    assert history_of(store, incident_id)[-1] == (
        "hotwatch",
        "status",
        "false_positive",
        "watching",
    )
    rebuild_incidents(store, now=NOW)  # nothing lifted since: no second reopening
    assert len(history_of(store, incident_id)) == 2
