"""``hotwatch doctor`` on SQLite: each kind of damage a crash can leave is made on purpose,
then doctor must name it (count, example, exit 1) and ``--repair`` must mend it, keeping
every document and giving back the incidents the store had before."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tantivy
from click.testing import CliRunner

from hotwatch.cli import cli
from index import SearchQuery, StoredDocument, StoreUnavailable, open_store
from index.incidents import update_incidents
from index.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from index.tantivy_index import ROW_COLUMNS, entry, schema
from tests.report_fixtures import build_store, write_config
from tests.smtp_server import refusing_port, smtp_server

START = datetime(2021, 4, 20, 8, 0, tzinfo=UTC)
EVENTS = [
    ("新乡", "新乡市民拨打12345热线反映噪音问题 接线员忘挂电话骂其不要脸"),
    ("洛阳", "洛阳市民反映12345热线打不通 连续三天拨打无人接听"),
    ("开封", "开封12345热线工单被虚假办结 市民称问题至今未解决"),
]


def article(n: int) -> StoredDocument:
    city, title = EVENTS[n % len(EVENTS)]
    return StoredDocument(
        url=f"http://news.test/doctor/{n}.html",
        title=f"{title}（{n}）",
        text=f"{title}。记者走访了{city}市民，市民说12345热线的处理让人失望。" * (2 + n),  # sizes differ: a doubled entry is named by its size
        fetched_at=START + timedelta(hours=n),
        published_at=START + timedelta(hours=n),
        relevant=n % 5 != 4,
        hotlines=["12345"],
        regions=[{"province": "河南省", "city": f"{city}市"}],
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(article(n) for n in range(15))
    update_incidents(store)
    store.close()
    return tmp_path


def doctor(data_dir: Path, *args: str, config: Path | None = None) -> tuple[int, dict]:
    options = ["--config", str(config)] if config else []
    result = CliRunner().invoke(
        cli, [*options, "--data-dir", str(data_dir), "doctor", "--json", *args],
        env={"HOTWATCH_CONFIG": ""},
    )
    return result.exit_code, json.loads(result.output)


def snapshot(data_dir: Path) -> tuple[int, frozenset[frozenset[str]], int]:
    """Documents, incidents as member sets, and how many documents a search finds."""
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        members: dict[str, set[str]] = {}
        docs = list(store.iter_documents())
        for doc in docs:
            if doc.incident_id:
                members.setdefault(doc.incident_id, set()).add(doc.id)
        found = store.search(SearchQuery(text="12345", limit=1, relevant_only=False)).total
        return len(docs), frozenset(frozenset(m) for m in members.values()), found
    finally:
        store.close()


def sql(data_dir: Path, statement: str, params: tuple = ()) -> None:
    db = sqlite3.connect(data_dir / "hotwatch.db")
    db.execute(statement, params)
    db.commit()
    db.close()


def first(data_dir: Path, column: str = "rowid", where: str = "1") -> tuple:
    db = sqlite3.connect(data_dir / "hotwatch.db")
    row = db.execute(f"SELECT {column}, id, title, text FROM documents WHERE {where} "
                     "ORDER BY rowid LIMIT 1").fetchone()
    db.close()
    return row


def search_index(data_dir: Path) -> tantivy.Index:
    return tantivy.Index(schema(), path=str(data_dir / "hotwatch.tantivy"))


def index_row(data_dir: Path, where: str = "1") -> tuple:
    db = sqlite3.connect(data_dir / "hotwatch.db")
    row = db.execute(f"SELECT {', '.join(ROW_COLUMNS)}, id FROM documents WHERE {where} "
                     "ORDER BY rowid LIMIT 1").fetchone()
    db.close()
    return row


def change_index(data_dir: Path, change: Callable[[tantivy.IndexWriter], None]) -> None:
    writer = search_index(data_dir).writer(heap_size=15_000_000, num_threads=1)
    change(writer)
    writer.commit()
    writer.wait_merging_threads()


def unindex(data_dir: Path) -> str:
    *row, doc_id = index_row(data_dir)
    change_index(data_dir, lambda w: w.delete_documents_by_term("rowid", row[0]))
    return doc_id


def index_twice(data_dir: Path) -> str:
    *row, doc_id = index_row(data_dir)
    change_index(data_dir, lambda w: w.add_document(tantivy.Document(**entry(tuple(row)))))
    return doc_id


def stale_entry(data_dir: Path) -> str:
    *row, _ = index_row(data_dir)
    row[0] = 99999
    change_index(data_dir, lambda w: w.add_document(tantivy.Document(**entry(tuple(row)))))
    return "rowid 99999"


def outdated_entry(data_dir: Path) -> str:
    """An entry built from an older version of its document (other words, not relevant)."""
    *row, doc_id = index_row(data_dir, where="text LIKE '%12345%'")
    old = dict(zip(ROW_COLUMNS, row, strict=True))
    old.update(title="旧标题", text="旧正文", relevant=0)
    rowid = row[0]
    change_index(data_dir, lambda w: (
        w.delete_documents_by_term("rowid", rowid),
        w.add_document(tantivy.Document(**entry(tuple(old.values())))),
    ))
    return doc_id


def left_pending(data_dir: Path) -> str:
    """A writer stopped after its SQLite commit, before the tantivy one: the document is
    stored and pending, not searchable until the next opener replays it."""
    *row, doc_id = index_row(data_dir, where="text LIKE '%12345%'")
    change_index(data_dir, lambda w: w.delete_documents_by_term("rowid", row[0]))
    sql(data_dir, "INSERT INTO search_pending (rowid, mark) VALUES (?, 7)", (row[0],))
    return doc_id


def unplace(data_dir: Path) -> str:
    _, doc_id, _, _ = first(data_dir, where="relevant = 1")
    sql(data_dir, "UPDATE documents SET incident_pending = 1 WHERE id = ?", (doc_id,))
    return doc_id


def unassign(data_dir: Path) -> str:
    _, doc_id, _, _ = first(data_dir, where="relevant = 1")
    sql(data_dir, "UPDATE documents SET incident_id = NULL, incident_pending = 0 WHERE id = ?",
        (doc_id,))
    return doc_id


def miscount(data_dir: Path) -> str:
    db = sqlite3.connect(data_dir / "hotwatch.db")
    incident_id, record = db.execute("SELECT id, record FROM incidents LIMIT 1").fetchone()
    data = json.loads(record)
    data["documents"] += 3
    db.execute("UPDATE incidents SET record = ? WHERE id = ?", (json.dumps(data), incident_id))
    db.commit()
    db.close()
    return incident_id


def empty_record(data_dir: Path) -> str:
    db = sqlite3.connect(data_dir / "hotwatch.db")
    row = db.execute("SELECT * FROM incidents LIMIT 1").fetchone()
    data = json.loads(row[-1])
    data["id"] = "inc-left-behind"
    db.execute("INSERT INTO incidents VALUES (?, ?, ?, ?, ?)",
               ("inc-left-behind", *row[1:-1], json.dumps(data)))
    db.commit()
    db.close()
    return "inc-left-behind"


def drop_record(data_dir: Path) -> str:
    db = sqlite3.connect(data_dir / "hotwatch.db")
    (incident_id,) = db.execute("SELECT id FROM incidents LIMIT 1").fetchone()
    db.execute("DELETE FROM incidents WHERE id = ?", (incident_id,))
    db.commit()
    db.close()
    return incident_id


DAMAGE: dict[str, Callable[[Path], str | None]] = {
    "unindexed": unindex,
    "indexed-twice": index_twice,
    "stale-index": stale_entry,
    "stale-index:outdated": outdated_entry,
    "unplaced": unplace,
    "unassigned": unassign,
    "incident-count": miscount,
    "incident-empty": empty_record,
    "incident-orphan": drop_record,
}


def test_a_healthy_store_is_consistent(data_dir):
    code, report = doctor(data_dir)
    assert (code, report["findings"], report["healthy"]) == (0, [], True)


def test_a_document_left_pending_by_a_stopped_writer_is_replayed_on_open(data_dir):
    before = snapshot(data_dir)
    left_pending(data_dir)
    assert snapshot(data_dir) == before  # found once again, by its text
    code, report = doctor(data_dir)
    assert (code, report["findings"]) == (0, [])


def test_documents_left_pending_while_another_writer_is_busy_are_named_and_written(data_dir):
    """The opener cannot replay while another process holds tantivy's writer (a long
    merge): doctor names what waits; once the writer is free, --repair writes it."""
    before = snapshot(data_dir)
    example = left_pending(data_dir)
    busy = search_index(data_dir).writer(heap_size=15_000_000, num_threads=1)
    code, report = doctor(data_dir)
    busy.rollback()
    busy.wait_merging_threads()  # the writer lock is free again
    assert code == 1
    assert [(f["kind"], f["count"], f["example"]) for f in report["findings"]] == [
        ("search-pending", 1, example)
    ]
    code, repaired = doctor(data_dir, "--repair")
    assert (code, repaired["remaining"]) == (0, [])
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("kind", DAMAGE)
def test_doctor_names_each_damage_and_repair_mends_it(data_dir, kind):
    before = snapshot(data_dir)
    example = DAMAGE[kind](data_dir)
    kind = kind.split(":")[0]

    code, report = doctor(data_dir)
    assert code == 1
    found = {f["kind"]: f for f in report["findings"]}
    assert kind in found, report
    assert found[kind]["count"] >= 1
    if example:
        assert found[kind]["example"] == example

    code, repaired = doctor(data_dir, "--repair")
    assert code == 0, repaired
    assert repaired["repaired"] and repaired["remaining"] == []
    assert doctor(data_dir) == (0, doctor(data_dir)[1])
    assert doctor(data_dir)[1]["findings"] == []
    assert snapshot(data_dir) == before  # every document, the same incidents, all searchable


def old_store(directory: Path) -> Path:
    """A store written by a hotwatch at schema 3 (before incremental incidents)."""
    directory.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(directory / "hotwatch.db")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for version in (1, 2, 3):
        for statement in MIGRATIONS[version].split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    db.commit()
    db.close()
    return directory


def test_an_unmigrated_schema_is_named_and_left_alone_until_repair(tmp_path):
    data_dir = old_store(tmp_path / "data")
    code, report = doctor(data_dir)
    assert code == 1
    assert [f["kind"] for f in report["findings"]] == ["migration"]
    assert "version 3" in report["findings"][0]["message"]
    db = sqlite3.connect(data_dir / "hotwatch.db")
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("3",)
    db.close()

    code, repaired = doctor(data_dir, "--repair")
    assert code == 0, repaired
    assert repaired["repaired"][0] == f"migrated the SQLite schema to version {SCHEMA_VERSION}"
    assert doctor(data_dir)[0] == 0


def test_an_unsent_digest_is_named_and_repair_sends_it_once(tmp_path):
    data_dir = tmp_path / "data"
    build_store(data_dir)
    with refusing_port() as port:
        config = write_config(tmp_path / "hotwatch.toml", port=port)
        sent = CliRunner().invoke(
            cli, ["--config", str(config), "--data-dir", str(data_dir), "digest", "--date",
                  "2021-04-25", "--send"], env={"HOTWATCH_CONFIG": ""},
        )
        assert sent.exit_code == 1  # the server is down: the digest waits in the outbox
        code, report = doctor(data_dir, config=config)
    assert code == 1
    [outbox] = [f for f in report["findings"] if f["kind"] == "outbox"]
    assert outbox["count"] == 1 and outbox["example"].startswith("digest:default:day:2021-04-25")

    with smtp_server(port=port) as (_, handler):
        _, repaired = doctor(data_dir, "--repair", config=config)
        _, again = doctor(data_dir, "--repair", config=config)
    assert "sent 1 emails from the outbox" in repaired["repaired"]
    assert not [f for f in repaired["remaining"] if f["kind"] == "outbox"]
    assert not [f for f in again["findings"] if f["kind"] == "outbox"]
    assert len(handler.received) == 1


def test_a_placement_run_that_fails_half_way_leaves_every_document_waiting(tmp_path):
    """A refused write (a full disk, here a trigger) after some placements: nothing of the
    run stays, so the next run places every document as an undisturbed one would."""
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(article(n) for n in range(15))
    store.close()
    sql(tmp_path, "CREATE TRIGGER refuse BEFORE INSERT ON incident_states "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        with pytest.raises(StoreUnavailable, match="disk is full"):
            update_incidents(store)
        assert len(list(store.iter_documents(pending=True))) == 15
        assert not [doc for doc in store.iter_documents() if doc.incident_id]
    finally:
        store.close()
    sql(tmp_path, "DROP TRIGGER refuse")
    store = open_store({"backend": "sqlite"}, tmp_path)
    update_incidents(store)
    store.close()
    assert doctor(tmp_path)[1]["findings"] == []
