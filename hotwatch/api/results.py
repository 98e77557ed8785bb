"""What the ``Hotwatch`` methods return: plain dataclasses, each with ``to_json()``.

The JSON shapes are the ones ``hotwatch ... --json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from hotwatch.api.crawl import SourceSummary
from hotwatch.users.copy import UserCopy
from index import IncidentRecord, SearchResult
from index.copy import CopyReport
from index.finding import Finding
from reports.digest_model import Digest
from reports.mail import text_part


@dataclass
class CrawlResult:
    """One summary per crawled source, and how many documents changed incident afterwards."""

    sources: list[SourceSummary]
    incidents_changed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "sources": [s.to_json() for s in self.sources],
            "incidents_changed": self.incidents_changed,
        }


@dataclass
class DemoResult:
    """The demo crawl's summaries and the stored reports, most negative first."""

    sources: list[SourceSummary]
    found: SearchResult
    data_dir: Path


@dataclass
class IngestResult:
    """Documents by outcome (``new``, ``updated``, ``unchanged``), in the order first met."""

    counts: dict[str, int]

    def to_json(self) -> dict[str, int]:
        return dict(self.counts)


@dataclass
class IncidentDetail:
    """One incident and its reports, newest first (``reports.total`` counts them all)."""

    record: IncidentRecord
    reports: SearchResult

    def to_json(self) -> dict[str, Any]:
        return {**self.record.to_json(), "reports": [h.to_json() for h in self.reports.hits]}


@dataclass
class IndexStatus:
    """The backend, its counts (or why they could not be read), and for Elasticsearch the
    cluster health and the number of spooled documents."""

    backend: str
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    health: Any = None
    spooled: int | None = None

    def to_json(self) -> dict[str, Any]:
        report: dict[str, Any] = {"backend": self.backend, **self.counts}
        if self.error is not None:
            report["error"] = self.error
        if self.backend == "elasticsearch":
            report["health"] = self.health
            report["spooled"] = self.spooled
        return report


@dataclass
class FlushResult:
    sent: int
    spooled: int


@dataclass
class CopyResult:
    """``index copy``: the store's copy report and the users copied beside it."""

    store: CopyReport
    users: UserCopy

    def to_json(self) -> dict[str, Any]:
        return {**self.store.to_json(), "users": self.users.copied,
                "users_kept": self.users.kept}


@dataclass
class ReindexResult:
    old: str
    new: str


@dataclass
class ReanalyseResult:
    documents: int
    changed: dict[str, int]  # analysis field -> documents whose value changed
    incidents_changed: int  # documents whose incident assignment changed

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "relevance_changed": self.changed.get("relevant", 0),
            "negativity_changed": self.changed.get("negativity", 0),
            "changed": self.changed,
            "incidents_changed": self.incidents_changed,
        }


@dataclass
class DigestDraft:
    """A built digest as an email (not yet written or sent), with its HTML part."""

    digest: Digest
    message: EmailMessage
    html: str

    @property
    def key(self) -> str:
        return self.digest.key

    @property
    def text(self) -> str:
        """The plain-text part, as ``hotwatch digest --preview`` prints it."""
        return text_part(self.message)


@dataclass
class DoctorReport:
    """``hotwatch doctor``: what was found, what ``--repair`` did, what is still wrong."""

    backend: str
    findings: list[Finding] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.remaining

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "healthy": self.healthy,
            "findings": [f.to_json() for f in self.findings],
            "repaired": list(self.repaired),
            "remaining": [f.to_json() for f in self.remaining],
        }
