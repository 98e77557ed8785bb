"""``hotwatch doctor``: is a store consistent after a crash, and mend what is derived.

The store half (search index, incident placement and records, spool, leftover index
copies) lives in ``index.consistency``; this module adds what sits beside the store:
an SQLite schema not yet migrated and messages waiting in the outboxes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hotwatch.api.results import DoctorReport
from hotwatch.config import Config, ConfigError
from index import SQLITE_FILENAME, open_store
from index.consistency import check_store, repair_store
from index.finding import Finding
from index.sqlite_schema import SCHEMA_VERSION
from reports.channels.queue import PostQueue
from reports.errors import ReportError
from reports.outbox import Postman
from reports.state import state_dir

Progress = Callable[[str, int], None]


def run_doctor(config: Config, *, repair: bool, progress: Progress | None = None) -> DoctorReport:
    """Check the store and outboxes; with ``repair`` mend them, then check again."""
    report = DoctorReport(backend=config.index.get("backend") or "sqlite")
    migration = _migration_finding(config)
    if migration and not repair:  # opening the store would migrate it: say so, touch nothing
        report.findings = [migration, *_outbox_findings(config)]
        report.remaining = report.findings
        return report
    store = open_store(config.index, config.data_dir)  # migrates an older SQLite schema
    try:
        report.findings = ([migration] if migration else []) + check_store(store, progress)
        report.findings += _outbox_findings(config)
        if not repair:
            report.remaining = report.findings
            return report
        if migration:
            report.repaired.append(f"migrated the SQLite schema to version {SCHEMA_VERSION}")
        report.repaired += repair_store(store, report.findings, progress)
        report.repaired += _repair_outboxes(config, report.findings)
        report.remaining = check_store(store, progress) + _outbox_findings(config)
    finally:
        store.close()
    return report


def _migration_finding(config: Config) -> Finding | None:
    """An SQLite store below this hotwatch's schema (each migration is one transaction, so
    a crash mid-migration leaves the previous version, migrated on the next open)."""
    if (config.index.get("backend") or "sqlite") != "sqlite":
        return None
    path = Path(config.data_dir) / SQLITE_FILENAME
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None  # opening the store reports what is wrong with the file
    version = int(row[0]) if row else 0
    if version >= SCHEMA_VERSION:
        return None
    return Finding(
        "migration", 1, str(path),
        f"store schema at version {version}, this hotwatch needs {SCHEMA_VERSION}",
    )


def _outbox_findings(config: Config) -> list[Finding]:
    state = state_dir(config.data_dir)
    findings = []
    emails = Postman(state, lambda: None).pending()  # type: ignore[arg-type, return-value]
    if emails:
        findings.append(
            Finding("outbox", len(emails), emails[0].key, "emails waiting in the outbox")
        )
    posts = PostQueue(state).pending()
    if posts:
        findings.append(
            Finding(
                "channel-outbox", len(posts), posts[0].key,
                "robot/webhook messages waiting in the outbox",
            )
        )
    return findings


def _repair_outboxes(config: Config, findings: list[Finding]) -> list[str]:
    kinds = {f.kind for f in findings}
    done = []
    if "outbox" in kinds:
        from hotwatch.api import reporting
        from reports.dispatch import retry_outbox

        try:
            result = retry_outbox(reporting.settings_of(config), state_dir(config.data_dir))
            done.append(
                f"sent {len(result.delivered)} emails from the outbox"
                + (f", {len(result.failed)} still failing" if result.failed else "")
            )
        except ReportError as error:
            done.append(f"outbox emails not sent: {error}")
    if "channel-outbox" in kinds:
        try:
            settings = config.alert_settings(os.environ)
            posts = PostQueue(state_dir(config.data_dir)).retry(settings, datetime.now(UTC))
            done.append(
                f"posted {len(posts.delivered)} robot/webhook messages from the outbox"
                + (f", {len(posts.failed)} still failing" if posts.failed else "")
            )
        except (ReportError, ConfigError) as error:
            done.append(f"robot/webhook messages not posted: {error}")
    return done
