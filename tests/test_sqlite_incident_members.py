"""SQLite keeps an incident's members' signatures as rows of their own (schema 10; raw
bytes since 11): joining an incident reads none of them and writes one row, weighing a
copy reads those of the members that brought its bands (13), and a store written with
the members inside each state (schema 9) is moved to rows when opened."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from index import StoredDocument, open_store
from index.incidents import rebuild_incidents, update_incidents
from index.sqlite_schema import SCHEMA_VERSION
from tests.test_incidents import OTHER_CITY, _post, _stored
from tests.test_incremental_incidents import NOW, states_of, story_corpus

STORY = "https://news.example.cn/zz-story"
OTHER = "https://cs.example.cn/hotline-unreachable"


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
    db.execute("ALTER TABLE incident_keys DROP COLUMN member")  # schema 13
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


def _copy(n: int, days: float) -> StoredDocument:
    title, text = OTHER_CITY
    return _stored(f"https://late{n}.example.cn/cs", (f"{title}（转载{n}）", text), days)


def test_a_copy_is_weighed_against_the_members_that_brought_its_bands(tmp_path):
    store = open_store({}, tmp_path)
    store.upsert_many(story_corpus())
    update_incidents(store, now=NOW)
    incident = store.get(_stored(OTHER, OTHER_CITY, 0.5).id).incident_id
    assert len(_member_rows(tmp_path / "hotwatch.db")[incident]) == 13
    unnamed = "SELECT COUNT(*) FROM incident_keys WHERE member IS NULL AND key < 'd'"
    assert store.db.execute(unnamed).fetchone() == (0,)  # every band and clue names one

    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    store.upsert(_copy(1, 45))
    update_incidents(store, now=NOW)
    store.db.set_trace_callback(None)
    assert store.get(_copy(1, 45).id).incident_id == incident
    assert not [s for s in statements if "FROM incident_members" in s]  # none read whole

    # Keys stored before they named members (schema 12): weighed against every member.
    store.db.execute("UPDATE incident_keys SET member = NULL")
    store.upsert(_copy(2, 46))
    store.db.set_trace_callback(statements.append)
    update_incidents(store, now=NOW)
    store.db.set_trace_callback(None)
    assert store.get(_copy(2, 46).id).incident_id == incident
    assert [s for s in statements if "FROM incident_members" in s]
