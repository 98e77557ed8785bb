"""Open the configured store from crawler settings (shared by the components that need it)."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings

from index import Store, open_store

#: Sent by the store pipeline after each batch is written: what came before is stored.
documents_stored = object()
#: Asks the store pipeline to write its batch now (a frontier worker with nothing to do).
flush_requested = object()


def store_from_settings(settings: BaseSettings, *, writer: bool = False) -> Store:
    """The store; a ``writer`` (the store pipeline) commits its search index every
    ``HOTWATCH_SEARCH_COMMIT_SECONDS`` rather than after each batch."""
    options = settings.getdict("HOTWATCH_INDEX")
    if writer:
        options["search_commit_seconds"] = settings.getfloat("HOTWATCH_SEARCH_COMMIT_SECONDS")
    return open_store(options, Path(settings.get("HOTWATCH_DATA_DIR")))
