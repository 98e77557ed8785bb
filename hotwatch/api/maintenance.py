"""Index upkeep behind ``hotwatch index``: status, the Elasticsearch spool, reindexing, copying."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from hotwatch.api.results import (
    CopyResult,
    FlushResult,
    IndexStatus,
    ReanalyseResult,
    ReindexResult,
)
from hotwatch.config import Config, ConfigError
from hotwatch.users import book_of_store
from hotwatch.users.copy import copy_users
from index import Store, StoreUnavailable, open_store
from index.copy import copy_store


def store_status(store: Store) -> IndexStatus:
    """What ``index status`` shows; an unreachable cluster is a status, not an error."""
    status = IndexStatus(backend=store.backend)
    try:
        status.counts = dict(store.stats())
    except StoreUnavailable as error:
        status.error = str(error)
    if store.backend == "elasticsearch":
        status.health = store.health()  # type: ignore[attr-defined]
        status.spooled = store.spooled()  # type: ignore[attr-defined]
    return status


def open_backend(config: Config, backend: str) -> Store:
    """The store of ``backend`` with the configuration's other [index] options."""
    options: Mapping[str, Any] = {**config.index, "backend": backend}
    if backend == "elasticsearch" and not options.get("urls"):
        raise ConfigError("the elasticsearch backend needs urls in [index] (or HOTWATCH_ES_URL)")
    return open_store(options, config.data_dir)


def open_elasticsearch(config: Config, command: str) -> Any:
    """The configured store, which must be Elasticsearch for ``index <command>``."""
    backend = config.index.get("backend", "sqlite")
    if backend != "elasticsearch":
        raise ConfigError(
            f"index {command} needs the elasticsearch backend (this store is {backend})"
        )
    return open_store(config.index, config.data_dir)


def flush(config: Config) -> FlushResult:
    store = open_elasticsearch(config, "flush")
    try:
        sent = store.flush_spool()
        return FlushResult(sent=sent, spooled=store.spooled())
    finally:
        store.close()


def reindex(config: Config) -> ReindexResult:
    store: Any = open_store(config.index, config.data_dir)
    try:
        old, new = store.reindex()
    finally:
        store.close()
    return ReindexResult(old=old, new=new)


def copy_between(
    config: Config,
    source: str,
    target: str,
    *,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> CopyResult:
    """Copy every document, incident and user of backend ``source`` into backend ``target``."""
    if source == target:
        raise ConfigError(f"--from and --to are both {source}: nothing to copy")
    source_store = open_backend(config, source)
    try:
        target_store = open_backend(config, target)
        try:
            report = copy_store(source_store, target_store, batch_size=batch_size,
                                progress=progress)
            users = copy_users(book_of_store(source_store, config.data_dir),
                               book_of_store(target_store, config.data_dir))
            return CopyResult(report, users)
        finally:
            target_store.close()
    finally:
        source_store.close()


class IndexMaintenance:
    """``Hotwatch.index``: the commands of ``hotwatch index`` as methods."""

    def __init__(self, config: Config, store: Callable[[], AbstractContextManager[Store]]) -> None:
        self._config = config
        self._store = store

    def status(self) -> IndexStatus:
        """Backend, counts, and for Elasticsearch the cluster health and spooled documents."""
        with self._store() as store:
            return store_status(store)

    def flush(self) -> FlushResult:
        """Send the documents spooled while Elasticsearch was unreachable."""
        return flush(self._config)

    def reindex(self) -> ReindexResult:
        """Rebuild the search index: on Elasticsearch a new index with the current mapping,
        then the alias switched; on SQLite the tantivy index from the stored documents."""
        return reindex(self._config)

    def copy(
        self,
        *,
        source: str,
        target: str,
        batch_size: int = 500,
        progress: Callable[[int, int], None] | None = None,
    ) -> CopyResult:
        """Copy every document, incident and user from backend ``source`` into ``target``
        (same [index] options otherwise); copying twice duplicates nothing."""
        return copy_between(self._config, source, target, batch_size=batch_size, progress=progress)

    def reanalyse(self, *, progress: Callable[[int], None] | None = None) -> ReanalyseResult:
        """Recompute every document's analysis (relevance, damage, tags, plans) from its
        stored text, then regroup incidents; collected content is never changed.
        ``progress`` gets the number of documents done so far."""
        from hotwatch.api.jobs import reanalyse

        report, incidents_changed = reanalyse(self._config, progress=progress)
        return ReanalyseResult(report.documents, dict(report.changed), incidents_changed)
