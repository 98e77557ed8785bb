"""Named users of the web page and the PR desk: roles, passwords, API tokens, sessions.

Kept where the store is, so every web server and CLI on that store sees the same users:
beside a SQLite store, ``users.sqlite3`` in the data directory (``book.UserBook``); with
Elasticsearch, the ``<prefix>users`` index on the cluster
(``elasticsearch_book.ElasticsearchUserBook``), into which the users a machine kept in
its ``users.sqlite3`` are moved when it first opens the shared book. Until the first
user is added, the page works as before (loopback freely, or the shared access token).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotwatch.users.book import UserBook
from hotwatch.users.rules import ROLES, LoginThrottled, User, UserError, role_allows

if TYPE_CHECKING:
    from hotwatch.users.elasticsearch_book import ElasticsearchUserBook

    Book = UserBook | ElasticsearchUserBook
else:
    Book = Any


def open_user_book(index: Mapping[str, Any], data_dir: str | Path) -> Book:
    """The user book of the configured store (``[index]`` options)."""
    if (index.get("backend") or "sqlite") != "elasticsearch":
        return UserBook(Path(data_dir))
    from hotwatch.users.elasticsearch_book import migrate_local_book
    from index import StoreUnavailable, open_store

    try:
        store: Any = open_store(index, data_dir)
    except StoreUnavailable as error:
        raise UserError(str(error)) from error
    book = _cluster_book(store)
    migrate_local_book(book, Path(data_dir))
    return book


def book_of_store(store: Any, data_dir: str | Path) -> Book:
    """The user book kept where ``store`` is: its cluster, or beside it in ``data_dir``."""
    return _cluster_book(store) if store.backend == "elasticsearch" else UserBook(Path(data_dir))


def _cluster_book(store: Any) -> ElasticsearchUserBook:
    from hotwatch.users.elasticsearch_book import ElasticsearchUserBook

    return ElasticsearchUserBook(
        store.client, prefix=store.prefix, urls=store.urls, replicas=store.replicas
    )


__all__ = [
    "ROLES", "Book", "LoginThrottled", "User", "UserBook", "UserError", "book_of_store",
    "open_user_book", "role_allows",
]
