"""The search index: one store interface, SQLite (default) and Elasticsearch backends."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from index.base import Store
from index.errors import (
    DocumentNotFound,
    IncidentNotFound,
    InvalidQuery,
    StoreError,
    StoreUnavailable,
)
from index.records import (
    IncidentRecord,
    SearchQuery,
    SearchResult,
    StoredDocument,
    document_id,
)

BACKENDS = ("sqlite", "elasticsearch")
SQLITE_FILENAME = "hotwatch.db"


def open_store(options: Mapping[str, Any], data_dir: str | Path) -> Store:
    """Open the configured backend (``options["backend"]``, default ``sqlite``).

    ``options["search_commit_seconds"]``: a writer's documents become searchable at its
    ``commit_search`` calls rather than after each write (SQLite; a crawl sets it).
    """
    backend = options.get("backend") or "sqlite"
    if backend == "sqlite":
        from index.sqlite import SQLiteStore

        return SQLiteStore(
            Path(data_dir) / SQLITE_FILENAME,
            search_commit_seconds=float(options.get("search_commit_seconds") or 0.0),
        )
    if backend == "elasticsearch":
        from index.elasticsearch import ElasticsearchStore

        return ElasticsearchStore.from_options(options, data_dir=Path(data_dir))
    raise StoreUnavailable(f"unknown index backend {backend!r} (choose from {', '.join(BACKENDS)})")


__all__ = [
    "DocumentNotFound",
    "IncidentNotFound",
    "IncidentRecord",
    "InvalidQuery",
    "SearchQuery",
    "SearchResult",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredDocument",
    "document_id",
    "open_store",
]
