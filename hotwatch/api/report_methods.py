"""The reports side of ``Hotwatch``: digests (舆情日报 and 舆情专报), alerts, the outbox,
source health, incident reports (事件脉络, 事件专报) and the scheduled ``run``.

A mixin over the configuration and the store ``Hotwatch`` holds; like the rest of
the API it prints nothing, and its errors are the packages' own one-line errors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hotwatch.api import reporting
from hotwatch.api.results import DigestDraft
from hotwatch.config import Config
from index import Store
from reports.alerts import AlertRun
from reports.dispatch import SendOutcome
from reports.health import SourceHealth
from reports.incident_report import IncidentReport
from reports.outbox import RetryResult
from reports.schedule import RunSummary

T = TypeVar("T")


class ReportMethods:
    """Needs ``config``, ``open_store()`` and ``_store()`` (the store to use for one call)."""

    config: Config

    if TYPE_CHECKING:

        def open_store(self) -> Store: ...

        def _store(self) -> AbstractContextManager[Store]: ...


    def digest(
        self,
        *,
        day: date | None = None,
        plan: str = "default",
        period: str = "day",
        recipients: Sequence[str] = (),
        sending: bool = False,
        now: datetime | None = None,
    ) -> DigestDraft:
        """Build the daily (or weekly) 舆情日报 ending ``day`` (default: yesterday in
        Shanghai) for ``plan``, addressed to ``recipients`` or the plan's own."""
        return self._digest_call(
            reporting.build_digest, now, day=day, plan=plan, period=period,
            recipients=recipients, sending=sending,
        )

    def digest_document(
        self,
        *,
        day: date | None = None,
        plan: str = "default",
        period: str = "day",
        format: str = "docx",
        now: datetime | None = None,
    ) -> bytes:
        """The 舆情专报 (总体态势, charts, incidents, sources) as .docx, or .pdf through
        LibreOffice."""
        return self._digest_call(
            reporting.digest_document, now, day=day, plan=plan, period=period, format=format
        )

    def _digest_call(self, build: Callable[..., T], now: datetime | None, **options: object) -> T:
        """``build`` (a digest function of ``reporting``) over the configuration, the
        store and the email settings."""
        settings = reporting.settings_of(self.config)
        with self._store() as store:
            return build(self.config, store, settings, now=now or datetime.now(UTC), **options)

    def write_digest(self, draft: DigestDraft, out: str | Path) -> tuple[Path, Path]:
        """Write the .eml to ``out`` and its HTML beside it; returns both paths."""
        from reports.dispatch import write_eml

        return write_eml(draft.message, draft.html, Path(out))

    def send_digest(self, draft: DigestDraft, *, force: bool = False) -> SendOutcome:
        """Send once per plan, period and date (``force`` sends again)."""
        from reports.dispatch import send_digest

        settings = reporting.settings_of(self.config)
        return send_digest(
            draft.message, draft.key, settings, reporting.state_of(self.config), force=force
        )

    def retry_outbox(self) -> RetryResult:
        """Deliver the emails a failed send left in the outbox."""
        from reports.dispatch import retry_outbox

        return retry_outbox(reporting.settings_of(self.config), reporting.state_of(self.config))

    def alerts(self, *, dry_run: bool = False, now: datetime | None = None) -> AlertRun:
        """Alert every configured channel on incidents at its level (``dry_run``: only say
        which alerts would go out)."""
        from reports.alerts import run_alerts

        settings = self.config.alert_settings(os.environ)
        with self._store() as store:
            return run_alerts(
                store,
                settings,
                reporting.state_of(self.config),
                now or datetime.now(UTC),
                dry_run=dry_run,
            )

    def sources_status(self, *, runs: int = 5) -> list[SourceHealth]:
        """Per source: its last ``runs`` crawls (yield, errors, blocked answers) and status."""
        return reporting.sources_status(self.config, runs=runs)

    def incident_report(self, incident_id: str) -> IncidentReport:
        """The 事件脉络 of one incident: timeline, first source, responses, spread, risk.
        Turn it into text with ``render_incident_report``."""
        from reports.incident_report import build_incident_report

        with self._store() as store:
            return build_incident_report(store, incident_id, reporting.state_of(self.config))

    def incident_document(self, incident_id: str, *, format: str = "docx") -> bytes:
        """The 事件专报 of one incident as .docx, or .pdf through LibreOffice."""
        from reports.documents import incident_document

        with self._store() as store:
            return incident_document(store, incident_id, reporting.state_of(self.config), format)

    def run(
        self, *, sources: Sequence[str] = (), max_pages: int = 0, crawl: bool = True
    ) -> RunSummary:
        """One locked pass for cron: crawl (unless ``crawl=False``), alert, and send the
        digests that are due."""
        from hotwatch.api.jobs import crawl_and_index, selected_sources
        from reports.schedule import run_pipeline

        config = self.config
        settings = reporting.settings_of(config)
        chosen = selected_sources(config, tuple(sources)) if crawl else []
        return run_pipeline(
            data_dir=Path(config.data_dir),
            open_store=self.open_store,
            settings=settings,
            alerting=config.alert_settings(os.environ),
            plans=config.plan_objects(),
            crawl=(lambda: crawl_and_index(config, chosen, max_pages=max_pages, alerts=False))
            if crawl
            else None,
            now=datetime.now(UTC),
        )
