"""``Hotwatch``: everything the ``hotwatch`` command does, as methods returning dataclasses.

Nothing here prints or knows about click; errors are the packages' own
(``ConfigError``, ``StoreError``, ``InputError``, ``ReportError``), each with a
one-line message. Each method opens the store and closes it again, unless the
object was given a store to share (the web page passes the one of its request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.analyse import AnalysisOptions, damage_cues
from analysis.plans import Plan
from hotwatch.api import maintenance
from hotwatch.api.handling import HandlingDesk
from hotwatch.api.incidents import rebuild_incidents
from hotwatch.api.local_files import INGEST_SUFFIXES, LocalDocument, analyse_and_group, find_files
from hotwatch.api.recrawl import RecrawlResult
from hotwatch.api.report_methods import ReportMethods
from hotwatch.api.results import (
    CrawlResult,
    DemoResult,
    DoctorReport,
    IncidentDetail,
    IngestResult,
)
from hotwatch.api.search import normalise_filters
from hotwatch.config import (
    Config,
    ConfigError,
    load_config,
)
from hotwatch.users import Book, open_user_book
from index import IncidentRecord, SearchQuery, SearchResult, Store, StoredDocument, open_store
from reports.trending import TrendingReport

INCIDENT_REPORTS = 200  # reports listed with one incident


if TYPE_CHECKING:  # the frontier imports redis: ~7 MB no crawl without a queue needs
    from hotwatch.api.frontier import QueueStatus
    from hotwatch.api.labels import LabelReport


class Hotwatch(ReportMethods):
    """hotwatch over one configuration and data directory.

    ``config`` is a loaded ``Config`` or the path of a TOML file (``None``: ./hotwatch.toml
    when present, else the defaults); ``data_dir`` overrides where the store lives.
    """

    def __init__(
        self,
        config: Config | str | Path | None = None,
        data_dir: str | Path | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        if isinstance(config, Config):
            self.config = replace(config, data_dir=Path(data_dir)) if data_dir else config
        else:
            self.config = load_config(config, data_dir=data_dir)
        self._shared_store = store
        self._users: Book | None = None

    # -- the store ------------------------------------------------------------------

    def open_store(self) -> Store:
        """A new connection to the configured store; the caller closes it."""
        return open_store(self.config.index, self.config.data_dir)

    @contextmanager
    def _store(self) -> Iterator[Store]:
        if self._shared_store is not None:
            yield self._shared_store
            return
        store = self.open_store()
        try:
            yield store
        finally:
            store.close()

    @property
    def index(self) -> maintenance.IndexMaintenance:
        """``hotwatch index``: ``status()``, ``flush()``, ``reindex()``, ``copy(...)``."""
        return maintenance.IndexMaintenance(self.config, self._store)

    def doctor(
        self, *, repair: bool = False, progress: Callable[[str, int], None] | None = None
    ) -> DoctorReport:
        """Check the store and outboxes for what a crash leaves behind; ``repair`` mends the
        derived state (search index, incidents, spool, outbox) and never deletes a document."""
        from hotwatch.api.doctor import run_doctor

        return run_doctor(self.config, repair=repair, progress=progress)

    @property
    def handling(self) -> HandlingDesk:
        """The PR desk: ``show(id)``, ``change(id, user=..., status=...)``, ``todo(...)``."""
        return HandlingDesk(self.config.deadlines, self._store, self.users)

    def export_labels(self, out: str | Path, *, texts_dir: str | Path | None = None) -> int:
        """Write the desk's judgements (误报 / taken up) as evaluation labels; the count."""
        from hotwatch.api.labels import export_labels

        with self._store() as store:
            return export_labels(store, Path(out), Path(texts_dir) if texts_dir else None)

    def evaluate_labels(self, path: str | Path) -> LabelReport:
        """Today's analysis measured on labels written by ``export_labels``."""
        from hotwatch.api.labels import evaluate_labels

        with self._store() as store:
            return evaluate_labels(store, Path(path))

    @property
    def users(self) -> Book:
        """Named users and roles, kept with the store (``users.sqlite3`` beside a SQLite
        store; an index on an Elasticsearch cluster, shared by every machine using it)."""
        if self._users is None:
            self._users = open_user_book(self.config.index, self.config.data_dir)
        return self._users

    # -- configuration ----------------------------------------------------------------

    def plans(self) -> list[Plan]:
        """The monitoring plans, each rule parsed (raises ``ConfigError`` on a bad one)."""
        return list(self.config.plan_objects())

    # -- crawling -----------------------------------------------------------------------

    def crawl(
        self,
        *,
        sources: Sequence[str] = (),
        url: str | None = None,
        max_pages: int = 0,
        progress: bool = False,
    ) -> CrawlResult:
        """Crawl the named sources (default: all), or one ad-hoc ``url``; analyse, index,
        update incidents and alert. Scrapy's reactor runs once per process."""
        from hotwatch.api.jobs import crawl_and_index, selected_sources

        chosen = selected_sources(self.config, tuple(sources), url)
        summaries, changed = crawl_and_index(
            self.config, chosen, max_pages=max_pages, progress=progress
        )
        return CrawlResult(summaries, changed)

    def worker(
        self, *, concurrency: int = 0, forever: bool = False, progress: bool = False
    ) -> CrawlResult:
        """Crawl the sources seeded in the shared frontier (``[queue] url``) into the store
        until the frontier is empty; ``forever`` keeps waiting for new seeds."""
        from hotwatch.api.frontier import run_worker

        summaries, changed = run_worker(
            self.config, concurrency=concurrency, forever=forever, progress=progress
        )
        return CrawlResult(summaries, changed)

    def queue_status(self) -> QueueStatus:
        """Pending and in-flight requests per source, seen URLs, and the workers."""
        from hotwatch.api.frontier import queue_status

        return queue_status(self.config)

    def queue_clear(self) -> int:
        """Empty the shared frontier; returns how many Redis keys went."""
        from hotwatch.api.frontier import clear_queue

        return clear_queue(self.config)

    def recrawl(
        self,
        topic: str | None = None,
        *,
        trending: bool = False,
        top: int = 5,
        sources: Sequence[str] = (),
        max_pages: int = 0,
        progress: bool = False,
    ) -> RecrawlResult:
        """Search ``topic`` (or the ``top`` trending terms) again with the search and weibo
        sources, and re-visit the stored reports it matches."""
        from hotwatch.api.recrawl import recrawl, trending_topics

        if topic is not None and trending:
            raise ConfigError("use either a topic or trending, not both")
        topics, incident_ids = [topic or ""], ()
        if trending:
            topics, incident_ids = trending_topics(self.config, top=top)
        return recrawl(
            self.config,
            topics,
            source_names=tuple(sources),
            max_pages=max_pages,
            progress=progress,
            incident_ids=incident_ids,
        )

    def demo(self, *, limit: int = 10) -> DemoResult:
        """Serve the bundled sample site on 127.0.0.1, crawl it into the store, and return
        the ``limit`` most negative stored reports."""
        from hotwatch.api.jobs import run_demo

        summaries, found = run_demo(self.config, limit=limit)
        return DemoResult(summaries, found, self.config.data_dir)

    # -- local files --------------------------------------------------------------------

    def analyze(self, paths: Iterable[str | Path]) -> list[LocalDocument]:
        """Analyse local .html/.htm/.txt files (directories are searched) without storing."""
        options = AnalysisOptions(plans=self.config.plan_objects())
        return analyse_and_group(paths, options)

    def ingest(self, paths: Iterable[str | Path]) -> IngestResult:
        """Analyse and store local files: HTML pages, text files, or .jsonl of
        ``{url, title, text, published_at}`` per line."""
        from hotwatch.api.jobs import ingest_files

        counts = ingest_files(self.config, find_files(paths, INGEST_SUFFIXES))
        return IngestResult(dict(counts))

    # -- the store ------------------------------------------------------------------------

    def search(
        self,
        query: str | SearchQuery = "",
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        regions: Sequence[str] = (),
        hotlines: Sequence[str] = (),
        categories: Sequence[str] = (),
        sources: Sequence[str] = (),
        plans: Sequence[str] = (),
        search_all: bool = False,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResult:
        """Search stored documents: AND / OR / NOT, parentheses, "quoted phrases".

        Filters take what people type (市长热线, 新乡); ``plans`` narrows to documents in
        those monitoring plans; ``search_all`` includes documents not judged relevant. A
        ``SearchQuery`` may be passed instead of the keywords.
        """
        known = [plan.name for plan in self.config.plans]
        for name in plans:
            if name not in known:
                raise ConfigError(
                    f"no plan named {name!r} (configured: {', '.join(known) or 'none'})"
                )
        if not isinstance(query, SearchQuery):
            query = SearchQuery(
                text=query,
                date_from=date_from,
                date_to=date_to,
                regions=tuple(regions),
                hotlines=tuple(hotlines),
                categories=tuple(categories),
                plans=tuple(plans),
                sources=tuple(sources),
                relevant_only=not search_all,
                sort=sort,  # type: ignore[arg-type]
                limit=limit,
                offset=offset,
            )
        with self._store() as store:
            return store.search(normalise_filters(query))

    def show(self, doc_id: str) -> StoredDocument:
        """One stored document (raises ``DocumentNotFound``)."""
        with self._store() as store:
            return store.get(doc_id)

    def damage_cues(self, doc: StoredDocument) -> list[tuple[str, float]]:
        """What moved a document's damage score (``negativity``) most, with the weights."""
        return damage_cues(doc.title, doc.text)

    def stats(self) -> dict[str, Any]:
        """Counts of stored documents, relevant documents and incidents."""
        with self._store() as store:
            return store.stats()

    def incidents(
        self,
        *,
        levels: Sequence[str] = (),
        since: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[IncidentRecord]:
        """Incidents, riskiest first; ``levels`` keeps only those levels (red, orange...),
        ``since`` those seen since then."""
        with self._store() as store:
            return store.list_incidents(
                levels=tuple(levels), since=since, limit=limit, offset=offset
            )

    def rebuild_incidents(self) -> tuple[int, int]:
        """Group every stored document into incidents again from scratch (``hotwatch
        incidents rebuild``); returns (incidents, documents that changed incident)."""
        with self._store() as store:
            changed = rebuild_incidents(store)
            return store.stats()["incidents"], changed

    def incident(self, incident_id: str, *, limit: int = INCIDENT_REPORTS) -> IncidentDetail:
        """One incident with its ``limit`` latest reports, newest first (raises
        ``IncidentNotFound``)."""
        with self._store() as store:
            record = store.get_incident(incident_id)
            reports = store.search(
                SearchQuery(incident_id=incident_id, relevant_only=False, sort="time", limit=limit)
            )
        return IncidentDetail(record, reports)

    def incident_record(self, incident_id: str) -> IncidentRecord:
        """One incident's summary (risk, first source, spread) without its reports."""
        with self._store() as store:
            return store.get_incident(incident_id)

    def trending(
        self, *, window: str = "24h", plan: str | None = None, top: int = 10
    ) -> TrendingReport:
        """Terms and incidents whose volume bursts against their own baseline."""
        from reports.trending import trending_report

        if plan and plan not in {p.name for p in self.config.plans}:
            known = ", ".join(p.name for p in self.config.plans) or "none"
            raise ConfigError(f"no plan named {plan!r} (configured: {known})")
        with self._store() as store:
            return trending_report(store, window=window, plan=plan, top=top)
