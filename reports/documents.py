"""Report files behind ``hotwatch report digest|incident --format docx|pdf``.

Each function reads the store, builds the report and returns the file's bytes;
the command only writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from index import Store
from reports.digest_model import TREND_DAYS, Period, PlanFilter
from reports.dispatch import make_digest
from reports.incident_report import build_incident_report
from reports.overview import build_overview

BINARY_FORMATS = ("docx", "pdf")


def digest_document(
    store: Store, state_dir: Path, period: Period, plan: PlanFilter, now: datetime, fmt: str,
    deadlines: Mapping[str, timedelta] | None = None,
) -> bytes:
    """The 舆情专报 for ``period`` as .docx or .pdf bytes (处置情况 with ``deadlines``)."""
    from reports.word import digest_docx, to_pdf

    digest = make_digest(store, state_dir, period, plan, now, deadlines)
    trend_start = period.end - timedelta(days=TREND_DAYS[period.kind] - 1)
    overview = build_overview(
        store, period.start, period.end, text=plan.query, trend_start=min(trend_start, period.start)
    )
    docx = digest_docx(digest, overview)
    return to_pdf(docx) if fmt == "pdf" else docx


def incident_document(store: Store, incident_id: str, state_dir: Path, fmt: str) -> bytes:
    """The 事件专报 of one incident as .docx or .pdf bytes; raises ``IncidentNotFound``."""
    from reports.word import incident_docx, to_pdf

    docx = incident_docx(build_incident_report(store, incident_id, state_dir))
    return to_pdf(docx) if fmt == "pdf" else docx
