"""Jobs that wire the packages together: crawl → analysis → index, ingest, and the demo."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.model import Article
from crawler.pipelines.store import REFUSED as STORE_REFUSED
from hotwatch.api.crawl import SourceSummary, adhoc_source, run_crawl
from hotwatch.api.incidents import place_until_signalled, rebuild_incidents, update_incidents
from hotwatch.api.local_files import read_articles
from hotwatch.config import Config, ConfigError, SourceConfig
from hotwatch.demo.server import SiteServer, serve
from hotwatch.demo.site import Site, sample_site
from index import SearchQuery, SearchResult, Store, StoredDocument, StoreUnavailable, open_store
from index.reanalyse import ReanalyseReport, reanalyse_store
from reports.alerts import alerts_enabled, run_alerts
from reports.errors import ReportError
from reports.health import SourceRun, record_run
from reports.state import state_dir

logger = logging.getLogger(__name__)
DEMO_PORT = 8765


def selected_sources(
    config: Config, names: tuple[str, ...] = (), url: str | None = None
) -> list[SourceConfig]:
    """The sources a crawl covers: named ones, an ad-hoc URL, or every configured source."""
    if url:
        try:
            return [adhoc_source(url)]
        except ValueError as error:
            raise ConfigError(str(error)) from error
    sources = [config.source(name) for name in names] if names else list(config.sources)
    if not sources:
        raise ConfigError("no sources configured (add [[sources]] to hotwatch.toml)")
    return sources


def crawl_and_index(
    config: Config,
    sources: list[SourceConfig],
    *,
    max_pages: int = 0,
    progress: bool = False,
    alerts: bool = True,
    frontier: bool = True,
) -> tuple[list[SourceSummary], int]:
    """Crawl, then bring incidents up to date; returns the summaries and incident changes.

    With ``[queue] url`` (and ``frontier``), the sources are seeded into the shared
    frontier and this process crawls as one of its workers; alerts go out from here only,
    so several workers never send one twice.
    """
    if frontier and config.queue.url:
        return _crawl_over_frontier(config, sources, max_pages, progress, alerts)
    open_store(config.index, config.data_dir).close()  # fail early, before any download
    summaries = run_crawl(config, sources, max_pages=max_pages, progress=progress)
    record_health(config, summaries)
    if any(m.startswith(STORE_REFUSED) for s in summaries for m in s.messages):
        # Placing part of a site now and the rest after the resumed crawl would group
        # them otherwise than one undisturbed crawl: the resumed crawl places them all.
        logger.error("incidents not updated: the store refused writes (the next crawl will)")
        return summaries, 0
    store = open_store(config.index, config.data_dir)
    try:
        changed, stopped = place_until_signalled(store)
        if alerts and not stopped:
            send_alerts(config, store)
    except StoreUnavailable as error:
        # What was crawled is stored or spooled; incidents catch up after the next crawl.
        logger.error("incidents not updated: %s", error)
        changed = 0
    finally:
        store.close()
    return summaries, changed


def _crawl_over_frontier(
    config: Config, sources: list[SourceConfig], max_pages: int, progress: bool, alerts: bool
) -> tuple[list[SourceSummary], int]:
    from hotwatch.api.frontier import seed_and_crawl

    summaries, changed = seed_and_crawl(config, sources, max_pages=max_pages, progress=progress)
    record_health(config, summaries)
    if alerts:
        store = open_store(config.index, config.data_dir)
        try:
            send_alerts(config, store)
        except StoreUnavailable as error:
            logger.error("alerts not sent: %s", error)
        finally:
            store.close()
    return summaries, changed


def record_health(config: Config, summaries: list[SourceSummary]) -> None:
    """Keep what each source yielded in this run, for ``hotwatch sources status`` and alerts."""
    now = datetime.now(UTC)
    runs = [
        SourceRun(
            source=s.name,
            type=s.type,
            at=now,
            fetched=s.fetched,
            new=s.new,
            updated=s.updated,
            relevant=s.relevant,
            fresh=s.fresh,
            errors=s.errors,
            blocked=s.blocked,
            messages=tuple(s.messages[:3]),
        )
        for s in summaries
    ]
    try:
        record_run(state_dir(config.data_dir), runs)
    except OSError as error:
        logger.warning("crawl health not recorded: %s", error)


def send_alerts(config: Config, store: Store) -> None:
    """Alert on incidents that reached the configured level; a failed send is logged, kept."""
    settings = config.alert_settings(os.environ)
    if not alerts_enabled(settings):
        return
    try:
        run = run_alerts(store, settings, state_dir(config.data_dir), datetime.now(UTC))
    except ReportError as error:
        logger.error("alerts: %s", error)
        return
    for error in run.errors:
        logger.error("alerts: %s", error)


def ingest_files(config: Config, paths: list[Path]) -> Counter[str]:
    """Analyse and store local files; returns counts of new/updated/unchanged documents."""
    options = AnalysisOptions(plans=config.plan_objects())
    store = open_store(config.index, config.data_dir)
    counts: Counter[str] = Counter()
    try:
        for path in paths:
            docs = [_local_document(url, article, options) for url, article in read_articles(path)]
            counts.update(store.upsert_many(docs))
        update_incidents(store)
    finally:
        store.close()
    return counts


def reanalyse(
    config: Config, *, progress: Callable[[int], None] | None = None
) -> tuple[ReanalyseReport, int]:
    """Recompute every document's analysis from its stored text, then rebuild incidents."""
    options = AnalysisOptions(plans=config.plan_objects())
    store = open_store(config.index, config.data_dir)
    try:
        report = reanalyse_store(store, options, progress=progress)
        changed = rebuild_incidents(store)  # every judgement may have moved: regroup all
    finally:
        store.close()
    return report, changed


def run_demo(config: Config, *, limit: int = 10) -> tuple[list[SourceSummary], SearchResult]:
    """Serve the bundled sample site on 127.0.0.1, crawl it, and search what it stored."""
    with _demo_server(sample_site()) as server:
        source = SourceConfig(
            name="demo-site", type="site", start_urls=(f"{server.url}/news/index.html",), tier=2
        )
        demo_config = replace(config, sources=(source,))
        summaries, _ = crawl_and_index(demo_config, [source], alerts=False, frontier=False)
    store = open_store(config.index, config.data_dir)
    try:
        result = store.search(SearchQuery(sort="negativity", limit=limit))
    finally:
        store.close()
    return summaries, result


def _demo_server(site: Site) -> SiteServer:
    """The demo's usual port keeps stored URLs the same from run to run; any port will do."""
    try:
        return serve(site, port=DEMO_PORT)
    except OSError:
        return serve(site)


def _local_document(url: str, article: Article, options: AnalysisOptions) -> StoredDocument:
    analysis = analyse_article(article, options)
    return StoredDocument.from_analysis(
        url, article, analysis, fetched_at=datetime.now(UTC), source="local"
    )
