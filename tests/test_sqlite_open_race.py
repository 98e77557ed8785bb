"""Several processes opening one new SQLite store at once (a crawl, the web page and
doctor after an upgrade): each migration step runs once, whoever comes first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from index import open_store
from index.sqlite_schema import SCHEMA_VERSION

OPENERS = 8


@pytest.mark.parametrize("attempt", range(5))
def test_stores_opened_at_once_migrate_the_schema_once(tmp_path: Path, attempt: int):
    barrier = threading.Barrier(OPENERS)
    errors: list[BaseException] = []

    def open_and_close() -> None:
        barrier.wait()
        try:
            open_store({"backend": "sqlite"}, tmp_path).close()
        except BaseException as error:  # noqa: BLE001 (every failure is the finding)
            errors.append(error)

    threads = [threading.Thread(target=open_and_close) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        version = store.db.execute(  # type: ignore[attr-defined]
            "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    finally:
        store.close()
    assert version == (str(SCHEMA_VERSION),)
