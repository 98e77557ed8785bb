"""The incident page as data: risk and reasons, timeline with official responses, reports
grouped by outlet tier and outlet, representative excerpts, from one ``Hotwatch.incident``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotwatch.api import IncidentDetail
from hotwatch.web.charts import Chart, bar_chart, daily_series
from hotwatch.web.present import official_terms, outlet_name, tier_name
from index import IncidentRecord
from index.records import Hit

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_REPORTS = 500
EXCERPTS = 3


ROLE_CLASSES = {"首发": "first", "官方回应": "official", "转发": "repost", "转载": "repost",
                "跟进报道": "follow"}
TIMELINE_SHOWN = 60


@dataclass(frozen=True)
class Report:
    hit: Hit
    official: list[str]
    role: str = "跟进报道"  # or 首发, 官方回应, 转发 (repost), 转载 (the first report's title)

    @property
    def role_class(self) -> str:
        return ROLE_CLASSES[self.role]

    @property
    def doc(self) -> Any:
        return self.hit.document

    @property
    def day(self) -> str:
        moment = self.doc.published_at or self.doc.fetched_at
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(SHANGHAI).date().isoformat()


@dataclass(frozen=True)
class OutletGroup:
    tier: int | None
    outlet: str
    reports: list[Report]

    @property
    def tier_name(self) -> str:
        return tier_name(self.tier)


@dataclass(frozen=True)
class IncidentPage:
    record: IncidentRecord
    reports: list[Report]
    total_reports: int
    groups: list[OutletGroup]
    official: list[Report]
    excerpts: list[Report]
    chart: Chart

    @property
    def roles(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for report in self.reports:
            counts[report.role] = counts.get(report.role, 0) + 1
        return [(role, counts[role]) for role in ROLE_CLASSES if role in counts]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.record.to_json(),
            "reports": [
                {**report.hit.to_json(), "official_response": report.official,
                 "role": report.role}
                for report in self.reports
            ],
            "total_reports": self.total_reports,
        }


def build_incident(detail: IncidentDetail) -> IncidentPage:
    """The page of ``Hotwatch.incident(incident_id, limit=MAX_REPORTS)``."""
    record, result = detail.record, detail.reports
    # Oldest first reads like a timeline.
    first_title = _title_key(next(
        (h.document.title for h in result.hits if h.document.id == record.first_document_id),
        record.title,
    ))
    reports = []
    for hit in reversed(result.hits):
        terms = official_terms(hit.document)
        reports.append(Report(hit, terms, _role(hit, record, terms, first_title)))
    official = [r for r in reports if r.official]
    marked: dict[str, list[str]] = {}
    for report in official:
        terms = marked.setdefault(report.day, [])
        terms.extend(t for t in report.official if t not in terms)
    chart = bar_chart(
        "每日报道量（▲ 当日有官方通报 / 致歉 / 回应）",
        daily_series(record.daily),
        marked={day: "官方回应：" + "、".join(terms) for day, terms in marked.items()},
    )
    return IncidentPage(
        record=record,
        reports=reports,
        total_reports=result.total,
        groups=_groups(reports),
        official=official,
        excerpts=_excerpts(record, reports),
        chart=chart,
    )


def _role(hit: Hit, record: IncidentRecord, official: list[str], first_title: str) -> str:
    doc = hit.document
    if doc.id == record.first_document_id:
        return "首发"
    if official:
        return "官方回应"
    if doc.parent_url:
        return "转发"
    if _title_key(doc.title) == first_title:
        return "转载"
    return "跟进报道"


def _title_key(title: str) -> str:
    return "".join(ch for ch in title if ch.isalnum())


def _groups(reports: list[Report]) -> list[OutletGroup]:
    grouped: dict[tuple[int | None, str], list[Report]] = {}
    for report in reports:
        key = (report.doc.tier, outlet_name(report.doc))
        grouped.setdefault(key, []).append(report)
    order = sorted(
        grouped.items(),
        key=lambda item: (item[0][0] if item[0][0] is not None else 99, _first_time(item[1])),
    )
    return [OutletGroup(tier, outlet, items) for (tier, outlet), items in order]


def _first_time(reports: list[Report]) -> datetime:
    moment = reports[0].doc.published_at or reports[0].doc.fetched_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _excerpts(record: IncidentRecord, reports: list[Report]) -> list[Report]:
    """The first report, the latest official response, then the most negative others."""
    chosen: list[Report] = []
    ids: set[str] = set()
    first = next((r for r in reports if r.doc.id == record.first_document_id), None)
    if first is None and reports:
        first = reports[0]
    officials = [r for r in reports if r.official]
    candidates = [first, officials[-1] if officials else None]
    candidates += sorted(reports, key=lambda r: r.doc.negativity, reverse=True)
    outlets: set[str] = set()
    for report in candidates:
        if report is None or report.doc.id in ids or len(chosen) >= EXCERPTS:
            continue
        if outlet_name(report.doc) in outlets and report is not first and not report.official:
            continue
        chosen.append(report)
        ids.add(report.doc.id)
        outlets.add(outlet_name(report.doc))
    return chosen
