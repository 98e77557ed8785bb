"""hotwatch as a Python library: what the CLI and the web page do, without printing.

    from hotwatch import Hotwatch

    hw = Hotwatch("hotwatch.toml", data_dir="/srv/hotwatch")
    found = hw.search("12345 AND 骂", regions=["新乡"], limit=5)

The CLI (``hotwatch.cli``) and the web page (``hotwatch.web``) are skins over this.
"""

from hotwatch.api.core import Hotwatch
from hotwatch.api.crawl import SourceSummary
from hotwatch.api.handling import HandlingDesk, IncidentHandling
from hotwatch.api.local_files import InputError, LocalDocument
from hotwatch.api.maintenance import IndexMaintenance
from hotwatch.api.recrawl import RecrawlResult, RecrawlRow
from hotwatch.api.reporting import REPORT_FORMATS, render_incident_report
from hotwatch.api.results import (
    CrawlResult,
    DemoResult,
    DigestDraft,
    DoctorReport,
    FlushResult,
    IncidentDetail,
    IndexStatus,
    IngestResult,
    ReindexResult,
)
from hotwatch.api.standalone import evaluate, write_config

__all__ = [
    "REPORT_FORMATS",
    "CrawlResult",
    "DemoResult",
    "DigestDraft",
    "DoctorReport",
    "FlushResult",
    "HandlingDesk",
    "Hotwatch",
    "IncidentDetail",
    "IncidentHandling",
    "IndexMaintenance",
    "IndexStatus",
    "IngestResult",
    "InputError",
    "LocalDocument",
    "RecrawlResult",
    "RecrawlRow",
    "ReindexResult",
    "SourceSummary",
    "evaluate",
    "render_incident_report",
    "write_config",
]
