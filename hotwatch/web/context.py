"""The store of the current request, borrowed from the app's pool on first use, and the
Python API over it."""

from __future__ import annotations

from flask import current_app, g

from hotwatch.api import Hotwatch
from hotwatch.config import Config
from hotwatch.users import Book
from hotwatch.web.stores import StorePool
from index import IncidentRecord, Store

POOL_KEY = "hotwatch_pool"
USERS_KEY = "hotwatch_users"
CONFIG_KEY = "HOTWATCH_CONFIG"


def pool() -> StorePool:
    return current_app.extensions[POOL_KEY]


def users() -> Book:
    return current_app.extensions[USERS_KEY]


def config() -> Config:
    return current_app.config[CONFIG_KEY]


def store() -> Store:
    """This request's store (opened lazily; raises ``StoreUnavailable``)."""
    if "store" not in g:
        g.store = pool().acquire()
    return g.store


def api() -> Hotwatch:
    """The same ``Hotwatch`` API the CLI calls, over this request's store."""
    return Hotwatch(config(), store=store())


def incident_index() -> dict[str, IncidentRecord]:
    """Known incidents by id, for badges beside hits (cached; one store call a minute)."""
    return pool().incident_index(store())


def mark_store_failed() -> None:
    g.store_failed = True


def release(error: BaseException | None) -> None:
    """Give the request's store back (or close it when the request failed on it)."""
    borrowed = g.pop("store", None)
    if borrowed is None:
        return
    if error is not None or g.pop("store_failed", False):
        pool().discard(borrowed)
    else:
        pool().release(borrowed)
