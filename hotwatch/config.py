"""hotwatch.toml: loading, validation and environment overrides.

This is the one place that reads configuration files and environment variables;
everything below it receives plain values.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from analysis.plans import Plan
from analysis.rules import RuleSyntaxError
from hotwatch.config_values import (
    ConfigError,
    check_number,
    plain,
    reject_unknown,
    table_of,
    unique_names,
)
from hotwatch.workflow import DEFAULT_DEADLINES, WorkflowError, parse_workflow
from reports.channels.config import AlertConfig, alert_config
from reports.errors import EmailConfigError
from reports.settings import email_settings

CONFIG_FILENAME = "hotwatch.toml"
DEFAULT_DATA_DIR = "hotwatch-data"
SOURCE_TYPES = ("rss", "sitemap", "site", "search", "weibo", "pages")
WEIBO_ONLY = ("users", "api_base", "cookie", "cookie_env", "max_pages", "delay", "retry_delay")
SELECTOR_FIELDS = ("title", "body", "date", "author")
ES_ENVIRONMENT = {
    "HOTWATCH_ES_URL": "urls",
    "HOTWATCH_ES_API_KEY": "api_key",
    "HOTWATCH_ES_USERNAME": "username",
    "HOTWATCH_ES_PASSWORD": "password",
    "HOTWATCH_ES_CA_CERTS": "ca_certs",
    "HOTWATCH_ES_INDEX_PREFIX": "index_prefix",
}
INDEX_KEYS = {
    "backend",
    "urls",
    "api_key",
    "username",
    "password",
    "ca_certs",
    "verify_certs",
    "timeout",
    "index_prefix",
    "replicas",
}


MAX_DEFAULT_WORKERS = 4


@dataclass(frozen=True)
class CrawlConfig:
    revisit_hours: float = 24.0
    max_pages: int = 0
    download_timeout: float = 20.0
    max_size: int = 5 * 1024 * 1024
    concurrency_per_domain: int = 8
    autothrottle: bool = True
    retry_times: int = 2
    obey_robots: bool = True
    http_cache: bool = False
    user_agent: str = ""
    # child processes for extraction and analysis; 0 = inline; None = by core count
    analysis_workers: int | None = None


@dataclass(frozen=True)
class QueueConfig:
    """``[queue]``: the shared crawl frontier on Redis; no url = today's in-process crawl."""

    url: str = ""  # redis://host:6379/0, or HOTWATCH_QUEUE_URL
    prefix: str = "hotwatch"  # Redis key prefix, so several projects can share one Redis
    visibility_timeout: float = 300.0  # seconds before a dead worker's request is served again
    heartbeat: float = 5.0  # seconds between two "alive" marks of a worker
    domain_delay: float = 0.0  # seconds between two requests to one domain, across workers
    bloom: bool = False  # seen article URLs in Redis's Bloom filter (BF.*), not exactly
    bloom_capacity: int = 1_000_000  # each source's filter starts here and grows past it
    bloom_error_rate: float = 0.001


@dataclass(frozen=True)
class SourceConfig:
    name: str
    type: str
    start_urls: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    link_patterns: tuple[str, ...] = ()
    selectors: Mapping[str, str] = field(default_factory=dict)
    tier: int | None = None
    url_template: str = ""
    queries: tuple[str, ...] = ()  # search and weibo sources; a run may replace them
    max_list_pages: int = 50
    # weibo sources: the mobile API's keyword search (queries) and user timelines (users)
    users: tuple[str, ...] = ()
    api_base: str = ""  # default https://m.weibo.cn
    cookie: str = field(default="", repr=False)  # the Cookie header; better: cookie_env
    cookie_env: str = ""  # name of the environment variable holding the Cookie header
    max_pages: int = 3  # API pages per query and per user
    delay: float = 3.0  # seconds between two API requests
    retry_delay: float = 30.0  # first pause after a blocking answer, doubled per retry

    def as_spider_source(self) -> dict[str, Any]:
        """The plain dict a spider is built from."""
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class PlanConfig:
    name: str
    rule: str
    exclude: tuple[str, ...] = ()

    def build(self) -> Plan:
        return Plan.from_text(self.name, self.rule, self.exclude)


@dataclass(frozen=True)
class Config:
    path: Path | None
    data_dir: Path
    crawl: CrawlConfig
    index: Mapping[str, Any]
    sources: tuple[SourceConfig, ...]
    plans: tuple[PlanConfig, ...]
    email: Mapping[str, Any] = field(default_factory=dict)
    alerts: Mapping[str, Any] = field(default_factory=dict)
    web: Mapping[str, Any] = field(default_factory=dict)
    deadlines: Mapping[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    queue: QueueConfig = field(default_factory=QueueConfig)

    def alert_settings(self, environ: Mapping[str, str]) -> AlertConfig:
        """Alert channels of ``[alerts]`` (or the older ``[email.alerts]``), secrets resolved."""
        try:
            email = email_settings(self.email, environ)
            alerting = alert_config(
                email, self.alerts, environ, email_raw=self.email, web=self.web or None
            )
            return replace(alerting, deadlines=self.deadlines)
        except EmailConfigError as error:
            raise ConfigError(str(error)) from error

    def plan_objects(self) -> tuple[Plan, ...]:
        return tuple(plan.build() for plan in self.plans)

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} (configured: {known})")


def default_analysis_workers(cores: int | None = None) -> int:
    """Analysis workers when the configuration names none: one per core beside the crawler's.

    The crawler process keeps one core busy with fetching, parsing and storing; the
    others extract and analyse. One core: inline. At most four workers, as each holds
    its own copy of the models.
    """
    if cores is None:
        affinity = getattr(os, "sched_getaffinity", None)
        cores = len(affinity(0)) if affinity else os.cpu_count() or 1
    return max(0, min(cores - 1, MAX_DEFAULT_WORKERS))


def default_config_text() -> str:
    """The commented starter configuration that ``hotwatch init`` writes."""
    return resources.files("hotwatch").joinpath("default.toml").read_text(encoding="utf-8")


def load_config(
    path: str | Path | None = None,
    *,
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Load ``path`` (or ./hotwatch.toml, or the defaults) and apply environment overrides."""
    environ = os.environ if environ is None else environ
    path = path or environ.get("HOTWATCH_CONFIG") or _local_config()
    label = str(path) if path else "default configuration"
    text = _read(Path(path)) if path else default_config_text()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{label}: {error}") from error
    data_dir = data_dir or environ.get("HOTWATCH_DATA_DIR") or raw.pop("data_dir", DEFAULT_DATA_DIR)
    raw.pop("data_dir", None)
    return _build(raw, label, Path(path) if path else None, Path(data_dir), environ)


def _local_config() -> Path | None:
    local = Path.cwd() / CONFIG_FILENAME
    return local if local.is_file() else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read configuration {path}: {error}") from error


def _build(
    raw: dict[str, Any], label: str, path: Path | None, data_dir: Path, environ: Mapping[str, str]
) -> Config:
    known = {"crawl", "index", "sources", "plans", "email", "alerts", "web", "workflow", "queue"}
    reject_unknown(raw, known, label)
    crawl = table_of(CrawlConfig, raw.get("crawl", {}), f"{label}: [crawl]")
    workers = crawl.analysis_workers
    if workers is not None and (workers < 0 or workers != int(workers)):
        raise ConfigError(f"{label}: [crawl] analysis_workers must be 0 or more")
    sources = tuple(
        _source(entry, f"{label}: sources[{i}]", environ)
        for i, entry in enumerate(raw.get("sources", []))
    )
    unique_names([s.name for s in sources], f"{label}: sources")
    plans = tuple(
        _plan(entry, f"{label}: plans[{i}]") for i, entry in enumerate(raw.get("plans", []))
    )
    unique_names([p.name for p in plans], f"{label}: plans")
    index = _index(raw.get("index", {}), f"{label}: [index]", environ)
    email = raw.get("email", {})
    if not isinstance(email, dict):
        raise ConfigError(f"{label}: [email] must be a table")
    alerts, web = raw.get("alerts", {}), raw.get("web", {})
    for name, table in (("alerts", alerts), ("web", web)):
        if not isinstance(table, dict):
            raise ConfigError(f"{label}: [{name}] must be a table")
    try:
        deadlines = parse_workflow(raw.get("workflow", {}))
    except WorkflowError as error:
        raise ConfigError(f"{label}: {error}") from error
    queue = _queue(raw.get("queue", {}), f"{label}: [queue]", environ)
    config = Config(
        path, data_dir, crawl, index, sources, plans, email, alerts, web, deadlines, queue
    )
    try:
        config.alert_settings(environ)
    except ConfigError as error:
        raise ConfigError(f"{label}: {error}") from error
    return config


def _source(entry: Any, label: str, environ: Mapping[str, str]) -> SourceConfig:
    source = table_of(SourceConfig, entry, label)
    if source.type not in SOURCE_TYPES:
        raise ConfigError(
            f"{label}: type must be one of {', '.join(SOURCE_TYPES)}, not {source.type!r}"
        )
    if source.type == "weibo":
        return _weibo_source(source, label, environ)
    weibo_keys = sorted(set(entry) & set(WEIBO_ONLY))
    if weibo_keys:
        raise ConfigError(f"{label}: {weibo_keys[0]} is only for weibo sources")
    if source.type == "search":
        if "{query}" not in source.url_template:
            raise ConfigError(f"{label}: a search source needs url_template containing {{query}}")
    elif not source.start_urls:
        raise ConfigError(f"{label}: start_urls is empty")
    unknown = set(source.selectors) - set(SELECTOR_FIELDS)
    if unknown:
        raise ConfigError(f"{label}: unknown selectors {sorted(unknown)} (use {SELECTOR_FIELDS})")
    return source


def _weibo_source(source: SourceConfig, label: str, environ: Mapping[str, str]) -> SourceConfig:
    """Check a weibo source and read its cookie from ``cookie_env`` (unset: no cookie)."""
    if not source.queries and not source.users:
        raise ConfigError(f"{label}: a weibo source needs queries or users")
    bad_uid = next((uid for uid in source.users if not uid.isdigit()), None)
    if bad_uid is not None:
        raise ConfigError(f"{label}: users must be numeric Weibo uids, not {bad_uid!r}")
    if source.api_base and not source.api_base.startswith(("http://", "https://")):
        raise ConfigError(f"{label}: api_base must be an http(s) URL, not {source.api_base!r}")
    if source.max_pages < 1:
        raise ConfigError(f"{label}: max_pages must be at least 1")
    if source.delay < 0 or source.retry_delay < 0:
        raise ConfigError(f"{label}: delay and retry_delay must not be negative")
    if source.cookie and source.cookie_env:
        raise ConfigError(f"{label}: set cookie or cookie_env, not both")
    if source.cookie_env:
        return replace(source, cookie=environ.get(source.cookie_env, "").strip())
    return source


def _plan(entry: Any, label: str) -> PlanConfig:
    plan = table_of(PlanConfig, entry, label)
    try:
        plan.build()
    except RuleSyntaxError as error:
        raise ConfigError(f"{label} ({plan.name}): rule {error}") from error
    return plan


def _index(raw: Any, label: str, environ: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{label} must be a table")
    reject_unknown(raw, INDEX_KEYS, label)
    index = dict(raw)
    if environ.get("HOTWATCH_INDEX"):
        index["backend"] = environ["HOTWATCH_INDEX"]
    for variable, key in ES_ENVIRONMENT.items():
        if environ.get(variable):
            index[key] = environ[variable]
    if isinstance(index.get("urls"), str):
        index["urls"] = [u.strip() for u in index["urls"].split(",") if u.strip()]
    index.setdefault("backend", "sqlite")
    if index["backend"] not in ("sqlite", "elasticsearch"):
        raise ConfigError(
            f"{label}: backend must be sqlite or elasticsearch, not {index['backend']!r}"
        )
    if index["backend"] == "elasticsearch" and not index.get("urls"):
        raise ConfigError(f"{label}: the elasticsearch backend needs urls (or HOTWATCH_ES_URL)")
    check_number(index, "replicas", int, 0, label)
    check_number(index, "timeout", (int, float), 1, label)
    return index


def _queue(raw: Any, label: str, environ: Mapping[str, str]) -> QueueConfig:
    queue = table_of(QueueConfig, raw, label)
    if environ.get("HOTWATCH_QUEUE_URL"):
        queue = replace(queue, url=environ["HOTWATCH_QUEUE_URL"].strip())
    if queue.url and not queue.url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{label}: url must be a redis:// URL, not {queue.url!r}")
    if queue.visibility_timeout < 1 or queue.heartbeat <= 0 or queue.domain_delay < 0:
        raise ConfigError(
            f"{label}: visibility_timeout must be at least 1, heartbeat above 0, "
            "domain_delay 0 or more"
        )
    if queue.bloom_capacity < 1 or not 0 < queue.bloom_error_rate < 1:
        raise ConfigError(f"{label}: bloom_capacity must be positive, bloom_error_rate in (0, 1)")
    return queue
