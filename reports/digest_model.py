"""The digest's parts as data (舆情日报 / 周报): its period, the plan it covers, headline
numbers, incidents and the trend, each citing the stored documents behind it.
``reports.digest`` builds them from a store; the renderers and senders read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.plans import Plan
from analysis.risk import LEVEL_NAMES
from analysis.sentiment.bands import NEGATIVE_FROM
from index import IncidentRecord
from index.records import StoredDocument
from reports.desk import DeskSummary
from reports.trending import TrendingItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEGATIVE = NEGATIVE_FROM  # the 负面 band, so counts agree with every label
TREND_DAYS = {"day": 7, "week": 14}


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
            return chinese_date(self.start)
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

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
            when=shanghai_time(moment) if moment else None,
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


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def shanghai_time(moment: datetime) -> datetime:
    return aware(moment).astimezone(SHANGHAI)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
