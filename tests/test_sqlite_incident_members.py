"""SQLite keeps an incident's members' signatures as rows of their own (schema 10; raw
bytes since 11): joining an incident reads none of them and writes one row, and a store
written with the members inside each state (schema 9) is moved to rows when opened."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from index import open_store
from index.incidents import rebuild_incidents, update_incidents
from index.sqlite_schema import SCHEMA_VERSION
from tests.test_incidents import _post
from tests.test_incremental_incidents import NOW, states_of, story_corpus

STORY = "https://news.example.cn/zz-story"


def _member_rows(path: Path) -> dict[str, set[str]]:
    db = sqlite3.connect(path)
    rows: dict[str, set[str]] = {}
    for incident_id, doc_id in db.execute("SELECT incident_id, doc_id FROM incident_members"):
        rows.setdefault(incident_id, set()).add(doc_id)
    db.close()
    return rows


def test_a_report_joining_an_incident_reads_none_of_its_members(tmp_path):
    store = open_store({}, tmp_path)
    store.upsert_many(story_corpus())
    update_incidents(store, now=NOW)
    incident = store.get(_post(STORY, STORY, "", 0).id).incident_id
    before = _member_rows(tmp_path / "hotwatch.db")[incident]
    assert len(before) >= 4

    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    repost = _post("https://weibo.example.cn/late", STORY, "转发微博 还没解决", 5)
    store.upsert(repost)
    update_incidents(store, now=NOW)
    store.db.set_trace_callback(None)

    assert store.get(repost.id).incident_id == incident
    assert not [s for s in statements if "FROM incident_members" in s]
    writes = [s for s in statements if "INTO incident_members" in s]
    assert len(writes) == 1  # one statement, the new member's row
    assert _member_rows(tmp_path / "hotwatch.db")[incident] == before | {repost.id}
    state = json.loads(
        store.db.execute("SELECT state FROM incident_states WHERE id = ?", (incident,)).fetchone()[0]
    )
    assert "members" not in state and "band_keys" not in state


def test_a_schema_9_store_has_its_members_moved_to_rows(tmp_path):
    store = open_store({}, tmp_path)
    store.upsert_many(story_corpus())
    rebuild_incidents(store, now=NOW)
    whole = states_of(store)  # read whole: members and bands put back in each state
    assert all(state["members"] and state["band_keys"] for state in whole)
    keys = [f"i:{state['id']}" for state in whole]
    stored = [state for state, _ in store.incident_states(keys)]
    store.close()
    path = tmp_path / "hotwatch.db"
    db = sqlite3.connect(path)
    for state in stored:  # as schema 9 stored them: inside the state
        db.execute(
            "UPDATE incident_states SET state = ? WHERE id = ?",
            (json.dumps(state, ensure_ascii=False), state["id"]),
        )
    db.execute("DROP TABLE incident_members")
    db.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    db.commit()
    db.close()

    upgraded = open_store({}, tmp_path)
    assert upgraded.stats()["schema_version"] == SCHEMA_VERSION >= 11
    assert states_of(upgraded) == whole
    rows = _member_rows(path)
    assert {s["id"]: set(s["members"]) for s in whole} == rows
    kinds = upgraded.db.execute("SELECT DISTINCT typeof(signature) FROM incident_members")
    assert kinds.fetchall() == [("blob",)]  # 128 raw bytes each, read as one buffer
    for (state,) in upgraded.db.execute("SELECT state FROM incident_states"):
        assert "members" not in json.loads(state)
    later = _post("https://weibo.example.cn/later", STORY, "转发微博 还没解决", 5)
    upgraded.upsert(later)
    update_incidents(upgraded, now=NOW)
    assert upgraded.get(later.id).incident_id == upgraded.get(_post(STORY, STORY, "", 0).id).incident_id
