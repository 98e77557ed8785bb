"""The digest (舆情日报 / 周报) as data: headline numbers, incidents, trend.

Everything is read through the ``Store`` interface, so it works on every backend.
Every figure carries links to the stored documents it is about, so the rendered
digest never states anything without a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.plans import Plan
from analysis.risk import LEVEL_NAMES, LEVELS
from analysis.sentiment.bands import NEGATIVE_FROM
from index import DocumentNotFound, IncidentNotFound, IncidentRecord, SearchQuery, Store
from index.records import StoredDocument
from reports.desk import DeskSummary, desk_summary
from reports.history import LevelHistory
from reports.trending import TrendingItem, trending_report

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEGATIVE = NEGATIVE_FROM  # the 负面 band, so counts agree with every label
EXAMPLES = 3
INCIDENT_LINKS = 4
MAX_INCIDENTS = 200
TREND_DAYS = {"day": 7, "week": 14}
TRENDING_TOP = 8
TRENDING_WINDOWS = {"day": "24h", "week": "7d"}


@dataclass(frozen=True)
class Period:
    """A digest period: one Shanghai calendar day, or the seven days ending on ``end``."""

    kind: str
    start: date
    end: date  # inclusive

    @classmethod
    def ending(cls, day: date, kind: str = "day") -> Period:
        if kind not in TREND_DAYS:
            raise ValueError(f"period must be day or week, not {kind!r}")
        length = 1 if kind == "day" else 7
        return cls(kind, day - timedelta(days=length - 1), day)

    def previous(self) -> Period:
        length = (self.end - self.start).days + 1
        return Period(self.kind, self.start - timedelta(days=length), self.start - timedelta(1))

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=SHANGHAI)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=SHANGHAI)

    def contains(self, moment: datetime) -> bool:
        return self.start_at <= moment < self.end_at

    @property
    def label(self) -> str:
        if self.kind == "day":
            return _chinese_date(self.start)
        return f"{_chinese_date(self.start)}至{_chinese_date(self.end)}"

    @property
    def name(self) -> str:
        return "日报" if self.kind == "day" else "周报"

    @property
    def previous_name(self) -> str:
        return "前一日" if self.kind == "day" else "上周"


@dataclass(frozen=True)
class PlanFilter:
    """What a digest covers: every relevant document, or those matching a plan's rule."""

    name: str = "default"
    query: str = ""

    @classmethod
    def from_plan(cls, plan: Plan) -> PlanFilter:
        words = [w.replace('"', "") for w in plan.exclude]
        query = f"({plan.rule.source})" + "".join(f' NOT "{w}"' for w in words if w)
        return cls(plan.name, query)


@dataclass(frozen=True)
class DocLink:
    """A stored document as cited: title, original URL, outlet and time."""

    doc_id: str
    title: str
    url: str
    outlet: str
    when: datetime | None
    negativity: float | None = None

    @classmethod
    def from_document(cls, doc: StoredDocument) -> DocLink:
        # No publish time shows as 时间不详: the fetch time is not the publish time.
        moment = doc.published_at
        return cls(
            doc_id=doc.id,
            title=doc.title or doc.url,
            url=doc.url,
            outlet=doc.outlet or doc.domain or doc.source or "",
            when=_local(moment) if moment else None,
            negativity=doc.negativity,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.doc_id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "time": self.when.isoformat() if self.when else None,
            "negativity": self.negativity,
        }


@dataclass(frozen=True)
class Metric:
    """A headline number for the period, the previous period's, and documents behind it."""

    key: str
    label: str
    current: float
    previous: float
    examples: list[DocLink] = field(default_factory=list)
    percent: bool = False

    @property
    def change(self) -> float:
        return self.current - self.previous

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "current": self.current,
            "previous": self.previous,
            "change": round(self.change, 4),
            "examples": [e.to_json() for e in self.examples],
        }


@dataclass(frozen=True)
class IncidentItem:
    """A new or escalating incident with the documents to cite."""

    record: IncidentRecord
    status: str  # "new" or "escalating"
    previous_level: str | None
    first: DocLink
    links: list[DocLink]

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.record.level]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.record.to_json(),
            "status": self.status,
            "previous_level": self.previous_level,
            "first_document": self.first.to_json(),
            "links": [link.to_json() for link in self.links],
        }


@dataclass(frozen=True)
class TrendDay:
    day: date
    relevant: int
    negative: int
    example: DocLink | None

    @property
    def negative_share(self) -> float:
        return self.negative / self.relevant if self.relevant else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "relevant": self.relevant,
            "negative": self.negative,
            "example": self.example.to_json() if self.example else None,
        }


@dataclass(frozen=True)
class Digest:
    plan: str
    period: Period
    generated_at: datetime
    metrics: list[Metric]
    incidents: list[IncidentItem]
    trend: list[TrendDay]
    trending: list[TrendingItem] = field(default_factory=list)  # 升温话题: bursting terms
    desk: DeskSummary | None = None  # 处置情况, when the digest was given the deadlines

    @property
    def empty(self) -> bool:
        """Nothing relevant and no new or escalating incident: the short 今日无新增 digest."""
        relevant = next(m for m in self.metrics if m.key == "relevant")
        return relevant.current == 0 and not self.incidents

    @property
    def key(self) -> str:
        """What makes a digest unique for idempotent sending."""
        return f"digest:{self.plan}:{self.period.kind}:{self.period.end.isoformat()}"

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "period": self.period.kind,
            "date_from": self.period.start.isoformat(),
            "date_to": self.period.end.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "empty": self.empty,
            "metrics": [m.to_json() for m in self.metrics],
            "incidents": [i.to_json() for i in self.incidents],
            "trend": [t.to_json() for t in self.trend],
            "trending": [t.to_json() for t in self.trending],
            "desk": self.desk.to_json() if self.desk else None,
        }


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
        if period.contains(_aware(record.first_seen)) and _in_plan(store, record, plan)
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
            record.first_outlet or record.first_source or "", _local(record.first_seen),
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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _local(moment: datetime) -> datetime:
    return _aware(moment).astimezone(SHANGHAI)


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
