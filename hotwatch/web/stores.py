"""Stores for request threads: a small pool, one store per request at a time.

A SQLite connection must not serve two requests at once, and opening an
Elasticsearch client per request is wasteful, so requests borrow a store from
the pool and give it back; at most ``idle`` stores are kept open.

Incident levels for result lists come from one ``list_incidents`` call cached for
a minute, so a page of hits never costs one store call per hit; so does the list of
every incident the 待办 page sorts by deadline (its handling is read fresh). Facet counts are
cached for a minute per set of filters, so paging and re-sorting a search skip them;
the 今日 page's figures for a minute per day and span.

``generation()`` numbers the store's states: it changes whenever anyone (another request,
a crawl, the CLI) commits to the store, so whole pages can be reused until it does
(``page_cache``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from index import IncidentRecord, SearchQuery, SearchResult, Store
from index.copy import all_incidents

logger = logging.getLogger(__name__)

INCIDENT_CACHE_SECONDS = 60.0
INCIDENT_CACHE_SIZE = 2000
FACET_CACHE_SECONDS = 60.0
FACET_CACHE_ENTRIES = 256
PAGE_CACHE_SECONDS = 60.0
PAGE_CACHE_ENTRIES = 64
T = TypeVar("T")


class StorePool:
    def __init__(self, opener: Callable[[], Store], *, idle: int = 4) -> None:
        self._opener = opener
        self._idle: list[Store] = []
        self._max_idle = idle
        self._lock = threading.Lock()
        self._incidents: dict[str, IncidentRecord] = {}
        self._incidents_at = -INCIDENT_CACHE_SECONDS
        self._every: list[IncidentRecord] = []
        self._every_at = -INCIDENT_CACHE_SECONDS
        self._pages: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._facets: OrderedDict[SearchQuery, tuple[float, dict[str, list[tuple[str, int]]]]]
        self._facets = OrderedDict()
        self._watch_lock = threading.Lock()
        self._watcher: Store | None = None
        self._version: int | None = None
        self._generation = 0

    def generation(self) -> int | None:
        """A number that changes whenever the store changed since the last call; ``None``
        when the backend cannot tell (or the store cannot be opened)."""
        with self._watch_lock:
            try:
                if self._watcher is None:
                    # Its own connection, never lent out: every write is another's.
                    self._watcher = self._opener()
                version = self._watcher.data_version()
            except Exception:  # noqa: BLE001 - the request itself will report the failure
                logger.debug("cannot read the store's data version", exc_info=True)
                self._close_watcher()
                return None
            if version is None:
                return None
            if version != self._version:
                self._version = version
                self._generation += 1
            return self._generation

    def _close_watcher(self) -> None:
        watcher, self._watcher, self._version = self._watcher, None, None
        self._generation += 1
        if watcher is not None:
            self.discard(watcher)

    def acquire(self) -> Store:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._opener()

    def release(self, store: Store) -> None:
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(store)
                return
        store.close()

    def discard(self, store: Store) -> None:
        """Close a store that failed mid-request instead of reusing it."""
        try:
            store.close()
        except Exception:  # noqa: BLE001 - closing a broken store may fail again
            logger.debug("closing a failed store raised", exc_info=True)

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = self.acquire()
        try:
            yield store
        except BaseException:
            self.discard(store)
            raise
        self.release(store)

    def incident_index(self, store: Store) -> dict[str, IncidentRecord]:
        """Incidents by id (the riskiest ``INCIDENT_CACHE_SIZE``), refreshed every minute."""
        now = time.monotonic()
        with self._lock:
            if now - self._incidents_at < INCIDENT_CACHE_SECONDS:
                return self._incidents
        records = store.list_incidents(limit=INCIDENT_CACHE_SIZE)
        index = {record.id: record for record in records}
        with self._lock:
            self._incidents, self._incidents_at = index, now
        return index

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept for ``PAGE_CACHE_SECONDS`` under ``key`` (the 今日 page:
        dozens of store calls, the same for every reader within the minute). The value is
        shared between threads: callers must not change it."""
        now = time.monotonic()
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None and now - hit[0] < PAGE_CACHE_SECONDS:
                self._pages.move_to_end(key)
                return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._pages[key] = (now, value)
            while len(self._pages) > PAGE_CACHE_ENTRIES:
                self._pages.popitem(last=False)
        return value

    def every_incident(self, store: Store) -> list[IncidentRecord]:
        """Every incident record, refreshed every minute (the 待办 list's candidates)."""
        now = time.monotonic()
        with self._lock:
            if now - self._every_at < INCIDENT_CACHE_SECONDS:
                return self._every
        records = list(all_incidents(store))
        with self._lock:
            self._every, self._every_at = records, now
        return records

    def search_with_facets(self, store: Store, query: SearchQuery) -> SearchResult:
        """``store.search`` with facet counts, computed once a minute per set of filters.

        Always one store call: with facets when they are not cached, without otherwise.
        """
        key = replace(query, sort="relevance", limit=0, offset=0, facets=False)
        now = time.monotonic()
        with self._lock:
            cached = self._facets.get(key)
            if cached is not None and now - cached[0] < FACET_CACHE_SECONDS:
                self._facets.move_to_end(key)
                facets = cached[1]
            else:
                facets = None
        if facets is not None:
            result = store.search(replace(query, facets=False))
            result.facets = facets
            return result
        result = store.search(replace(query, facets=True))
        with self._lock:
            self._facets[key] = (now, result.facets)
            while len(self._facets) > FACET_CACHE_ENTRIES:
                self._facets.popitem(last=False)
        return result

    def clear_caches(self, *, incidents: bool = True) -> None:
        """Forget cached facet counts (and incidents); the next page recomputes them."""
        with self._lock:
            self._facets.clear()
            self._pages.clear()
            if incidents:
                self._incidents, self._incidents_at = {}, -INCIDENT_CACHE_SECONDS
                self._every, self._every_at = [], -INCIDENT_CACHE_SECONDS

    def close(self) -> None:
        with self._watch_lock:
            self._close_watcher()
        with self._lock:
            stores, self._idle = self._idle, []
        for store in stores:
            store.close()
