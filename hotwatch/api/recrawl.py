"""Re-crawl a topic: run the search/weibo sources with it as the query, and re-visit stored
documents of the incidents it matches, for edits, follow-ups and official responses.

The function behind ``hotwatch recrawl``. Search and weibo sources run with
``queries=(topic, ...)``; stored articles are fetched again by ``pages`` sources
(one per original source, so a re-visited document keeps its source), which
bypass the revisit interval. Everything goes through ``crawl_and_index``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from hotwatch.api.crawl import SourceSummary
from hotwatch.api.jobs import crawl_and_index
from hotwatch.config import Config, ConfigError, SourceConfig
from index import SearchQuery, Store, StoredDocument, open_store
from reports.trending import trending_report

QUERY_TYPES = ("search", "weibo")
REVISIT_TYPE = "pages"
MAX_REVISITS = 200
MATCHES_PER_TOPIC = 50


@dataclass
class RecrawlRow:
    """One source's part in a re-crawl."""

    name: str
    type: str
    queries: int
    results: int
    new: int
    updated: int
    relevant: int
    errors: int
    messages: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RecrawlResult:
    topics: list[str]
    revisited: int
    rows: list[RecrawlRow]
    incidents_changed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "topics": self.topics,
            "revisited": self.revisited,
            "sources": [row.to_json() for row in self.rows],
            "incidents_changed": self.incidents_changed,
        }


def recrawl(
    config: Config,
    topics: list[str],
    *,
    source_names: tuple[str, ...] = (),
    max_pages: int = 0,
    progress: bool = False,
    incident_ids: tuple[str, ...] = (),
) -> RecrawlResult:
    """Search the topics, re-visit the stored documents they match, index what changed."""
    topics = list(dict.fromkeys(t.strip() for t in topics if t.strip()))
    if not topics:
        raise ConfigError("the topic is empty: give --topic TEXT or --trending")
    sources = query_sources(config, topics, source_names)
    store = open_store(config.index, config.data_dir)
    try:
        revisits = revisit_sources(stored_matches(store, topics, incident_ids))
    finally:
        store.close()
    # In this process: a re-visit must pass the frontier's revisit_hours filter by design.
    summaries, changed = crawl_and_index(
        config, sources + revisits, max_pages=max_pages, progress=progress, frontier=False
    )
    rows = [
        summary_row(source, summary)
        for source, summary in zip(sources + revisits, summaries, strict=True)
    ]
    revisited = sum(len(source.start_urls) for source in revisits)
    return RecrawlResult(topics, revisited, rows, changed)


def trending_topics(config: Config, *, top: int, window: str = "24h") -> tuple[list[str], tuple]:
    """The current top trending terms, and the trending incidents' ids."""
    store = open_store(config.index, config.data_dir)
    try:
        report = trending_report(store, window=window, top=top)
    finally:
        store.close()
    if not report.terms and not report.incidents:
        raise ConfigError(f"nothing is trending in the last {window}: no topic to re-crawl")
    return [t.label for t in report.terms], tuple(i.key for i in report.incidents)


def query_sources(
    config: Config, topics: list[str], names: tuple[str, ...] = ()
) -> list[SourceConfig]:
    """The search and weibo sources (all, or the named ones) with the topics as their queries."""
    chosen = [config.source(name) for name in names] if names else list(config.sources)
    for source in chosen:
        if names and source.type not in QUERY_TYPES:
            raise ConfigError(
                f"source {source.name!r} is a {source.type} source; "
                "recrawl runs search and weibo sources"
            )
    runnable = [s for s in chosen if s.type in QUERY_TYPES]
    if not runnable:
        raise ConfigError(
            'no search or weibo source configured (add [[sources]] with type = "search" '
            'or "weibo" to hotwatch.toml)'
        )
    # only the topic: a weibo source's user timelines are for ``hotwatch crawl``
    return [replace(source, queries=tuple(topics), users=()) for source in runnable]


def stored_matches(
    store: Store, topics: list[str], incident_ids: tuple[str, ...] = ()
) -> list[StoredDocument]:
    """Stored articles matching a topic, and every article of the incidents they belong to."""
    found: dict[str, StoredDocument] = {}
    incidents = dict.fromkeys(incident_ids)
    for topic in topics:
        query = SearchQuery(text=topic, relevant_only=False, sort="time", limit=MATCHES_PER_TOPIC)
        for hit in store.search(query).hits:
            found.setdefault(hit.document.id, hit.document)
            if hit.document.incident_id:
                incidents.setdefault(hit.document.incident_id)
    for incident_id in incidents:
        query = SearchQuery(
            incident_id=incident_id, relevant_only=False, sort="time", limit=MAX_REVISITS
        )
        for hit in store.search(query).hits:
            found.setdefault(hit.document.id, hit.document)
    articles = [doc for doc in found.values() if doc.kind == "article" and _web(doc)]
    return articles[:MAX_REVISITS]


def revisit_sources(docs: list[StoredDocument]) -> list[SourceConfig]:
    """One ``pages`` source per original source, so re-visited documents keep theirs."""
    groups: dict[str, list[StoredDocument]] = {}
    for doc in docs:
        groups.setdefault(doc.source or "revisit", []).append(doc)
    return [
        SourceConfig(
            name=name,
            type=REVISIT_TYPE,
            start_urls=tuple(dict.fromkeys(d.fetched_url or d.url for d in group)),
            tier=group[0].tier,
        )
        for name, group in groups.items()
    ]


def summary_row(source: SourceConfig, summary: SourceSummary) -> RecrawlRow:
    """Results: pages reached from the queries (fetched now or recently), or URLs re-visited."""
    revisit = source.type == REVISIT_TYPE
    return RecrawlRow(
        name=source.name,
        type=source.type,
        queries=0 if revisit else len(source.queries),
        results=len(source.start_urls) if revisit else summary.fetched + summary.fresh,
        new=summary.new,
        updated=summary.updated,
        relevant=summary.relevant,
        errors=summary.errors,
        messages=summary.messages,
    )


def _web(doc: StoredDocument) -> bool:
    return (doc.fetched_url or doc.url).startswith(("http://", "https://"))
