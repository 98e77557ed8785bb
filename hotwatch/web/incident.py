"""The incident page as data: risk and reasons, timeline with official responses, reports
grouped by outlet tier and outlet, representative excerpts. Two store calls in all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotwatch.web.charts import Chart, bar_chart, daily_series
from hotwatch.web.present import official_terms, outlet_name, tier_name
from index import IncidentRecord, SearchQuery, Store
from index.records import Hit

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_REPORTS = 500
EXCERPTS = 3


@dataclass(frozen=True)
class Report:
    hit: Hit
    official: list[str]

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

    def to_json(self) -> dict[str, Any]:
        return {
            **self.record.to_json(),
            "reports": [
                {**report.hit.to_json(), "official_response": report.official}
                for report in self.reports
            ],
            "total_reports": self.total_reports,
        }


def build_incident(store: Store, incident_id: str) -> IncidentPage:
    """Raises ``IncidentNotFound``."""
    record = store.get_incident(incident_id)
    result = store.search(
        SearchQuery(incident_id=incident_id, relevant_only=False, sort="time", limit=MAX_REPORTS)
    )
    # Oldest first reads like a timeline.
    reports = [Report(hit, official_terms(hit.document)) for hit in reversed(result.hits)]
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
