"""``hotwatch run``: crawl → analysis → index → alerts → digest (when due), under a lock.

Meant for cron or a systemd timer. ``fcntl.flock`` on ``data_dir/hotwatch.lock``
(non-blocking) keeps two runs from overlapping: the second one stops at once with
``AlreadyRunning``. The crawl step is passed in as a function, so this module
does not depend on the crawler.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from analysis.plans import Plan
from index import Store
from reports.alerts import AlertOutcome, alerts_enabled, run_alerts
from reports.channels.config import AlertConfig
from reports.digest_model import Period
from reports.dispatch import (
    SendOutcome,
    digest_message,
    make_digest,
    postman_for,
    resolve_plan,
    send_digest,
)
from reports.errors import AlreadyRunning, ReportError
from reports.health_alerts import HealthNotice
from reports.settings import EmailSettings
from reports.state import state_dir

logger = logging.getLogger(__name__)

LOCK_FILE = "hotwatch.lock"


@dataclass
class RunSummary:
    """What one run did; ``errors`` are one-line messages (the run exits non-zero if any)."""

    crawl: Any = None
    alerts: list[AlertOutcome] = field(default_factory=list)
    health: list[HealthNotice] = field(default_factory=list)  # sources quiet or blocked
    digests: list[SendOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def run_lock(data_dir: Path) -> Iterator[Path]:
    """Hold ``data_dir/hotwatch.lock`` for the block; raises ``AlreadyRunning`` if taken."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise AlreadyRunning(
                f"another hotwatch run is in progress (pid {holder} holds {path}); not starting"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield path
    finally:
        handle.close()


def due_digests(
    settings: EmailSettings, data_dir: Path, now: datetime
) -> list[tuple[str, Period]]:
    """Digests to send now: after ``email.digest.hour`` local time, once per plan and period.

    A daily digest covers yesterday; a weekly one covers the seven days to yesterday and
    is due on Mondays.
    """
    options = settings.digest
    local = now.astimezone(options.zone)
    if local.hour < options.hour:
        return []
    if options.period == "week" and local.weekday() != 0:
        return []
    day: date = local.date() - timedelta(days=1)
    period = Period.ending(day, options.period)
    postman = postman_for(settings, state_dir(data_dir))
    due = []
    for plan in options.plans:
        key = f"digest:{plan}:{period.kind}:{period.end.isoformat()}"
        if not postman.sent_records(key):
            due.append((plan, period))
    return due


def run_pipeline(
    *,
    data_dir: Path,
    open_store: Callable[[], Store],
    settings: EmailSettings,
    alerting: AlertConfig,
    plans: Sequence[Plan],
    crawl: Callable[[], Any] | None,
    now: datetime,
) -> RunSummary:
    """One scheduled run under the lock; crawl errors stop it, delivery errors do not."""
    summary = RunSummary()
    with run_lock(data_dir):
        if crawl is not None:
            summary.crawl = crawl()
        directory = state_dir(data_dir)
        email_ready = bool(settings.host or settings.debug)
        store = open_store()
        try:
            if alerts_enabled(alerting):
                run = run_alerts(store, alerting, directory, now)
                summary.alerts = run.outcomes
                summary.health = run.health
                summary.errors += run.errors
            else:
                logger.info("no alert channel configured: alerts skipped")
            if email_ready:
                _digests(store, settings, plans, directory, now, summary, alerting.deadlines)
            else:
                logger.info("no [email] host configured: digest skipped")
        finally:
            store.close()
    return summary


def _digests(
    store: Store,
    settings: EmailSettings,
    plans: Sequence[Plan],
    directory: Path,
    now: datetime,
    summary: RunSummary,
    deadlines: Mapping[str, timedelta],
) -> None:
    for plan_name, period in due_digests(settings, directory.parent, now):
        try:
            plan = resolve_plan(plan_name, plans, settings)
            digest = make_digest(store, directory, period, plan, now, deadlines)
            message, _ = digest_message(digest, settings, settings.recipients_for(plan_name))
            summary.digests.append(send_digest(message, digest.key, settings, directory))
        except ReportError as error:
            summary.errors.append(str(error))
