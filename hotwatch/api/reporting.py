"""Digests, alerts, incident reports and the scheduled run, from a configuration."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from hotwatch.api.results import DigestDraft
from hotwatch.config import Config
from index import Store
from reports.digest_model import Period, PlanFilter
from reports.dispatch import (
    default_day,
    digest_message,
    digest_recipients,
    make_digest,
    resolve_plan,
)
from reports.health import SourceHealth, source_health
from reports.incident_report import IncidentReport, render_html, render_markdown
from reports.settings import EmailSettings, email_settings
from reports.state import state_dir

REPORT_FORMATS = ("html", "md", "json")


def settings_of(config: Config) -> EmailSettings:
    """The validated ``[email]`` table; the password comes from the environment."""
    return email_settings(config.email, os.environ)


def build_digest(
    config: Config,
    store: Store,
    settings: EmailSettings,
    *,
    day: date | None,
    plan: str,
    period: str,
    recipients: Sequence[str],
    sending: bool,
    now: datetime,
) -> DigestDraft:
    """Build the digest of ``period`` ending ``day`` (default: yesterday) as an email."""
    plan_filter, span = plan_and_period(config, settings, plan, day, period, now)
    built = make_digest(store, state_dir(config.data_dir), span, plan_filter, now, config.deadlines)
    to = digest_recipients(settings, plan, recipients, sending=sending)
    message, html = digest_message(built, settings, to)
    return DigestDraft(built, message, html)


def digest_document(
    config: Config,
    store: Store,
    settings: EmailSettings,
    *,
    day: date | None,
    plan: str,
    period: str,
    format: str,
    now: datetime,
) -> bytes:
    """The 舆情专报 of ``period`` ending ``day`` as .docx or .pdf bytes."""
    from reports.documents import digest_document as build

    plan_filter, span = plan_and_period(config, settings, plan, day, period, now)
    return build(
        store, state_dir(config.data_dir), span, plan_filter, now, format, config.deadlines
    )


def plan_and_period(
    config: Config, settings: EmailSettings, plan: str, day: date | None, period: str,
    now: datetime,
) -> tuple[PlanFilter, Period]:
    """The plan's filter (``default``: everything) and the period ending ``day``."""
    plan_filter = resolve_plan(plan, config.plan_objects(), settings)
    return plan_filter, Period.ending(day or default_day(now), period)


def render_incident_report(report: IncidentReport, format: str = "md") -> str:
    """The report as HTML, Markdown or (indented, non-ASCII kept) JSON text."""
    import json

    if format == "html":
        return render_html(report)
    if format == "md":
        return render_markdown(report)
    if format == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown report format {format!r} (use one of {', '.join(REPORT_FORMATS)})")


def state_of(config: Config) -> Path:
    return state_dir(config.data_dir)


def sources_status(config: Config, *, runs: int) -> list[SourceHealth]:
    """Each configured (or recorded) source's last ``runs`` crawls and its health status."""
    settings = config.alert_settings(os.environ)
    return source_health(
        state_of(config), [source.name for source in config.sources],
        silent_runs=settings.source_silent_runs, shown=runs,
    )
