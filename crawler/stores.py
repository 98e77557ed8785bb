"""Open the configured store from crawler settings (shared by the components that need it)."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings

from index import Store, open_store


def store_from_settings(settings: BaseSettings) -> Store:
    return open_store(settings.getdict("HOTWATCH_INDEX"), Path(settings.get("HOTWATCH_DATA_DIR")))
