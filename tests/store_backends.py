"""Stores of either backend for tests that run on both: SQLite in a directory, or an
Elasticsearch index prefix of the test's own on the node at ``HOTWATCH_ES_URL`` (skipped
without one), its indices deleted afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from index import Store, open_store

ES_URL = os.environ.get("HOTWATCH_ES_URL")
BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


def open_backend(backend: str, data_dir: Path, prefix: str) -> Store:
    if backend == "sqlite":
        return open_store({"backend": "sqlite"}, data_dir)
    if not ES_URL:
        pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
    options = {"urls": [ES_URL], "index_prefix": prefix, "replicas": 0}
    return open_store({"backend": "elasticsearch", **options}, data_dir)


def fresh_prefix(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}-"


def close_and_drop(store: Store, prefix: str) -> None:
    if store.backend == "elasticsearch":
        store.client.indices.delete(index=f"{prefix}*")  # type: ignore[attr-defined]
    store.close()


@contextmanager
def backend_store(backend: str, data_dir: Path, label: str) -> Iterator[Store]:
    """A new store of ``backend``; an Elasticsearch one's indices go afterwards."""
    prefix = fresh_prefix(label)
    store = open_backend(backend, data_dir, prefix)
    try:
        yield store
    finally:
        close_and_drop(store, prefix)
