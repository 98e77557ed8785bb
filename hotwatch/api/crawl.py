"""Run configured sources through the Scrapy project and summarise each source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as crawler_settings_module
from crawler.extensions.runlog import read_run_log
from hotwatch.api.stopping import signal_handlers_kept
from hotwatch.config import Config, SourceConfig, default_analysis_workers

BLOCKING_STATUSES = (403, 418, 432)
COUNTS = (
    "fetched",
    "new",
    "updated",
    "unchanged",
    "relevant",
    "skipped",
    "fresh",
    "duplicates",
    "errors",
    "spooled",
)


@dataclass
class SourceSummary:
    name: str
    type: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    relevant: int = 0
    skipped: int = 0
    fresh: int = 0
    duplicates: int = 0
    errors: int = 0
    spooled: int = 0  # kept in the Elasticsearch spool: the cluster was unreachable
    blocked: int = 0  # answers that refuse a crawler: HTTP 403/418/432, captcha, login walls
    messages: list[str] = field(default_factory=list)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    skipped_urls: list[dict[str, str]] = field(default_factory=list)  # {url, reason, detail}
    failed_urls: list[dict[str, str]] = field(default_factory=list)  # {url, reason}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def adhoc_source(url: str) -> SourceConfig:
    """An ad-hoc ``--url``: a site source limited to its host (feeds and sitemaps are sniffed)."""
    host = urlparse(url).hostname
    if not host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return SourceConfig(name=host, type="site", start_urls=(url,), allowed_domains=(host,))


def run_log_path(data_dir: Path, started: datetime) -> Path:
    """``DATA_DIR/logs/crawl-YYYYmmdd-HHMMSS.jsonl``: every skip and failure of one run."""
    return Path(data_dir) / "logs" / f"crawl-{started:%Y%m%d-%H%M%S}.jsonl"


def skip_lines(summary: SourceSummary) -> list[str]:
    """``source: skipped 4 (too large 2, not an HTML page 2)`` and one line per skipped URL."""
    if not summary.skip_reasons:
        return []
    reasons = ", ".join(f"{reason} {count}" for reason, count in summary.skip_reasons.items())
    lines = [f"{summary.name}: skipped {summary.skipped} ({reasons})"]
    for skip in summary.skipped_urls:
        detail = f" ({skip['detail']})" if skip.get("detail") else ""
        lines.append(f"  {skip['reason']}: {skip['url']}{detail}")
    return lines


def scrapy_settings(config: Config, *, max_pages: int = 0, progress: bool = False) -> Settings:
    """The crawler project's settings with the user's configuration layered on top."""
    settings = Settings()
    settings.setmodule(crawler_settings_module, priority="project")
    crawl = config.crawl
    settings.setdict(
        {
            "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
            "DOWNLOAD_MAXSIZE": crawl.max_size,
            "DOWNLOAD_WARNSIZE": min(crawl.max_size, settings.getint("DOWNLOAD_WARNSIZE")),
            "DOWNLOAD_TIMEOUT": crawl.download_timeout,
            "HTTPCACHE_DIR": str((config.data_dir / "httpcache").resolve()),
            "HTTPCACHE_ENABLED": crawl.http_cache,
            "RETRY_TIMES": crawl.retry_times,
            "ROBOTSTXT_OBEY": crawl.obey_robots,
            "HOTWATCH_ANALYSIS_WORKERS": (
                default_analysis_workers()
                if crawl.analysis_workers is None
                else crawl.analysis_workers
            ),
            "HOTWATCH_DATA_DIR": str(config.data_dir),
            "HOTWATCH_INDEX": dict(config.index),
            "HOTWATCH_MAX_PAGES": max_pages or crawl.max_pages,
            "HOTWATCH_PLANS": [asdict(plan) for plan in config.plans],
            "HOTWATCH_PROGRESS_INTERVAL": 2.0 if progress else 0.0,
            "HOTWATCH_REVISIT_HOURS": crawl.revisit_hours,
            "LOG_INSTALL_ROOT_HANDLER": False,
        },
        priority="cmdline",
    )
    if crawl.user_agent:
        settings.set("USER_AGENT", crawl.user_agent, priority="cmdline")
    return settings


#: ``add(source)`` crawls one more source in a running crawl; False once it is stopping.
AddSource = Callable[[SourceConfig], bool]


def run_crawl(
    config: Config,
    sources: list[SourceConfig],
    *,
    max_pages: int = 0,
    progress: bool = False,
    extra_settings: dict[str, Any] | None = None,
    while_running: Callable[[AddSource], None] | None = None,
) -> list[SourceSummary]:
    """Crawl the sources together (one Scrapy crawler each) and return their summaries.

    Blocks until every source is done; the Twisted reactor cannot restart, so this
    runs once per process. ``extra_settings`` go over the configuration's (the frontier's).
    ``while_running`` is given, before the crawl starts, a way to add sources to it
    (their summaries follow the others').
    """
    settings = scrapy_settings(config, max_pages=max_pages, progress=progress)
    settings.setdict(extra_settings or {}, priority="cmdline")
    log = run_log_path(config.data_dir, datetime.now())
    settings.set("HOTWATCH_RUN_LOG", str(log), priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers: list[tuple[SourceConfig, Any]] = []
    closed: list[str] = []  # reasons of the sources whose crawl ended

    def note_closed(reason: str) -> None:
        closed.append(reason)

    def add(source: SourceConfig) -> bool:
        if closed:
            return False  # a crawl ended (SIGTERM, Redis lost, or done): start nothing new
        crawler = process.create_crawler(source.type)  # spider names are the source types
        crawler.signals.connect(note_closed, signal=signals.spider_closed, weak=False)
        process.crawl(
            crawler,
            source=source.as_spider_source(),
            max_pages=settings.getint("HOTWATCH_MAX_PAGES"),
        )
        crawlers.append((source, crawler))
        return True

    for source in sources:
        add(source)
    if while_running is not None:
        while_running(add)
    with signal_handlers_kept():
        process.start()
    return [summarize(source, crawler, log) for source, crawler in crawlers]


def summarize(source: SourceConfig, crawler: Any, log: Path | None = None) -> SourceSummary:
    stats = crawler.stats.get_stats()
    summary = SourceSummary(name=source.name, type=source.type)
    for count in COUNTS:
        setattr(summary, count, int(stats.get(f"hotwatch/{source.name}/{count}", 0)))
    prefix = f"hotwatch/{source.name}/skip/"
    reasons = {
        key.removeprefix(prefix): int(n) for key, n in stats.items() if key.startswith(prefix)
    }
    summary.skip_reasons = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    for record in read_run_log(log, source.name) if log else []:
        if record.get("outcome") == "skipped":
            summary.skipped_urls.append(
                {"url": record["url"], "reason": record["reason"], "detail": record["detail"]}
            )
        elif record.get("outcome") == "failed":
            summary.failed_urls.append({"url": record["url"], "reason": record["reason"]})
    spider = crawler.spider
    summary.messages = list(getattr(spider, "errors", []))[:20]
    if summary.spooled:
        summary.messages.insert(0, spool_message(summary.spooled))
    # Refusing HTTP answers, else the spider's own "blocked" reports (captcha, login walls).
    summary.blocked = sum(
        int(stats.get(f"downloader/response_status_count/{status}", 0))
        for status in BLOCKING_STATUSES
    ) or sum(1 for message in summary.messages if "blocked" in message)
    failure = stats.get("hotwatch/failure")
    if failure:
        summary.messages.append(str(failure))
    return summary


def spool_message(spooled: int) -> str:
    return (
        f"Elasticsearch unreachable: {spooled} document(s) kept in the spool; they are indexed "
        "on the next crawl or with `hotwatch index flush`"
    )
