"""The digest (舆情日报 / 周报) as data: headline numbers, incidents, trend.

Everything is read through the ``Store`` interface, so it works on every backend.
Every figure carries links to the stored documents it is about, so the rendered
digest never states anything without a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from analysis.risk import LEVELS
from index import DocumentNotFound, IncidentNotFound, IncidentRecord, SearchQuery, Store
from reports.desk import desk_summary
from reports.digest_model import (
    NEGATIVE,
    TREND_DAYS,
    Digest,
    DocLink,
    IncidentItem,
    Metric,
    Period,
    PlanFilter,
    TrendDay,
    aware,
    shanghai_time,
)
from reports.history import LevelHistory
from reports.trending import TrendingItem, trending_report

EXAMPLES = 3
INCIDENT_LINKS = 4
MAX_INCIDENTS = 200
TRENDING_TOP = 8
TRENDING_WINDOWS = {"day": "24h", "week": "7d"}


def build_digest(
    store: Store,
    period: Period,
    *,
    plan: PlanFilter | None = None,
    history: LevelHistory | None = None,
    now: datetime,
    trending: bool = True,
    deadlines: Mapping[str, timedelta] | None = None,
) -> Digest:
    """Collect the digest for ``period``; ``history`` supplies escalations (may be None);
    with ``deadlines`` (per risk level) it also says how incidents are being handled."""
    plan = plan or PlanFilter()
    counter = _Counter(store, plan.query)
    incidents = _incidents(store, period, plan, history)
    previous_new = len(_new_incidents(store, period.previous(), plan))
    metrics = [
        counter.metric("collected", "收集报道", period, relevant_only=False, sort="time"),
        counter.metric("relevant", "相关报道", period, relevant_only=True, sort="relevance"),
        counter.metric(
            "negative", "负面报道", period, relevant_only=True, negativity_min=NEGATIVE,
            sort="negativity",
        ),
        Metric(
            "new_incidents",
            "新增事件",
            sum(1 for item in incidents if item.status == "new"),
            previous_new,
            [item.first for item in incidents if item.status == "new"][:EXAMPLES],
        ),
    ]
    relevant, negative = metrics[1], metrics[2]
    metrics.append(
        Metric(
            "negative_share",
            "负面占比",
            _share(negative.current, relevant.current),
            _share(negative.previous, relevant.previous),
            negative.examples[:1],
            percent=True,
        )
    )
    trend = [counter.trend_day(day) for day in _trend_days(period)]
    terms = _trending_terms(store, period, plan) if trending else []
    desk = None
    if deadlines is not None:
        desk = desk_summary(
            store, deadlines,
            window_start=period.end_at - timedelta(days=TREND_DAYS[period.kind]),
            period_start=period.start_at, period_end=period.end_at, now=now,
        )
    return Digest(plan.name, period, now, metrics, incidents, trend, terms, desk)


def _trending_terms(store: Store, period: Period, plan: PlanFilter) -> list[TrendingItem]:
    """Terms bursting in the period against the periods before it (by plan name if filtered)."""
    report = trending_report(
        store,
        window=TRENDING_WINDOWS[period.kind],
        plan=plan.name if plan.query else None,
        top=TRENDING_TOP,
        now=period.end_at,
    )
    return report.terms


class _Counter:
    """Totals through ``store.search(...).total``, with the top documents as examples."""

    def __init__(self, store: Store, text: str) -> None:
        self.store = store
        self.text = text

    def search(self, start: date, end: date, *, limit: int, **filters: Any) -> Any:
        query = SearchQuery(text=self.text, date_from=start, date_to=end, limit=limit, **filters)
        return self.store.search(query)

    def metric(self, key: str, label: str, period: Period, **filters: Any) -> Metric:
        current = self.search(period.start, period.end, limit=EXAMPLES, **filters)
        previous_period = period.previous()
        previous = self.search(previous_period.start, previous_period.end, limit=1, **filters)
        examples = [DocLink.from_document(hit.document) for hit in current.hits]
        return Metric(key, label, current.total, previous.total, examples)

    def trend_day(self, day: date) -> TrendDay:
        relevant = self.search(day, day, limit=1, relevant_only=True, sort="negativity")
        negative = self.search(day, day, limit=1, relevant_only=True, negativity_min=NEGATIVE)
        example = DocLink.from_document(relevant.hits[0].document) if relevant.hits else None
        return TrendDay(day, relevant.total, negative.total, example)


def _incidents(
    store: Store, period: Period, plan: PlanFilter, history: LevelHistory | None
) -> list[IncidentItem]:
    new = _new_incidents(store, period, plan)
    new_ids = {record.id for record in new}
    items = [incident_item(store, record, "new", None) for record in new]
    escalations = history.escalations(period.start_at, period.end_at) if history else {}
    for incident_id, change in escalations.items():
        if incident_id in new_ids:
            continue
        try:
            record = store.get_incident(incident_id)
        except IncidentNotFound:
            continue
        if record.first_seen >= period.end_at or not _in_plan(store, record, plan):
            continue
        items.append(incident_item(store, record, "escalating", change.previous))
    return sorted(items, key=_risk_order)


def _new_incidents(store: Store, period: Period, plan: PlanFilter) -> list[IncidentRecord]:
    candidates = store.list_incidents(since=period.start_at, limit=MAX_INCIDENTS)
    return [
        record
        for record in candidates
        if period.contains(aware(record.first_seen)) and _in_plan(store, record, plan)
    ]


def _in_plan(store: Store, record: IncidentRecord, plan: PlanFilter) -> bool:
    if not plan.query:
        return True
    query = SearchQuery(text=plan.query, incident_id=record.id, relevant_only=False, limit=1)
    return store.search(query).total > 0


def incident_item(
    store: Store, record: IncidentRecord, status: str, previous: str | None
) -> IncidentItem:
    try:
        first = DocLink.from_document(store.get(record.first_document_id))
    except DocumentNotFound:
        first = DocLink(
            record.first_document_id, record.title, record.first_url,
            record.first_outlet or record.first_source or "", shanghai_time(record.first_seen),
        )
    hits = store.search(
        SearchQuery(
            incident_id=record.id, relevant_only=False, sort="negativity", limit=INCIDENT_LINKS
        )
    ).hits
    others = [DocLink.from_document(h.document) for h in hits if h.document.id != first.doc_id]
    return IncidentItem(record, status, previous, first, [first, *others][:INCIDENT_LINKS])


def _risk_order(item: IncidentItem) -> tuple[int, int, int]:
    record = item.record
    return (-LEVELS.index(record.level), -record.score, -record.documents)


def _trend_days(period: Period) -> list[date]:
    count = TREND_DAYS[period.kind]
    return [period.end - timedelta(days=n) for n in reversed(range(count))]


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0
