"""The 今日 page: the day against the day before, a 14-day trend, risky incidents, tags on
the rise, and the day's digest when the reports package can build one.

Every number is a ``store.search(...).total`` (``limit=1``) or a ``list_incidents`` call,
so it works on every backend; about 35 store calls in all, none per document.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from analysis.sentiment.bands import BAND_KEYS, NEGATIVE_FROM
from hotwatch.web.charts import Chart, HBarChart, bar_chart, hbar_chart
from index import IncidentRecord, SearchQuery, Store
from reports.overview import Overview, build_overview

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEGATIVE = NEGATIVE_FROM  # the 负面 band: counts agree with every label
TREND_DAYS = 14
TOP_INCIDENTS = 10
TOP_INCIDENT_DAYS = 7
RISING_BASE_DAYS = 7
RISING_MIN = 2
RISING_RATIO = 1.5
RISING_SHOWN = 12
OVERVIEW_DOCUMENTS = 2000  # the split is read from at most this many reports
SPANS = (1, 7, 30)  # days the composition panel can cover, ending on the page's day
FACET_NAMES = {"province": "省份", "city": "城市", "hotline": "热线", "category": "问题类型",
               "source": "来源"}
FACET_PARAMS = {"province": "region", "city": "region", "hotline": "hotline",
                "category": "category", "source": "source"}


@dataclass(frozen=True)
class Figure:
    """A headline number of the day and the same number the day before."""

    key: str
    label: str
    today: float
    yesterday: float
    percent: bool = False
    search: dict[str, str] = field(default_factory=dict)

    @property
    def change(self) -> float:
        return self.today - self.yesterday

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "today": self.today,
                "yesterday": self.yesterday, "change": round(self.change, 4)}


@dataclass(frozen=True)
class TrendPoint:
    day: date
    relevant: int
    negative: int

    @property
    def negative_share(self) -> float:
        return self.negative / self.relevant if self.relevant else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "relevant": self.relevant,
                "negative": self.negative, "negative_share": round(self.negative_share, 4)}


@dataclass(frozen=True)
class RisingTag:
    facet: str
    value: str
    today: int
    base_average: float
    param: str

    @property
    def facet_name(self) -> str:
        return FACET_NAMES[self.facet]

    def to_json(self) -> dict[str, Any]:
        return {"facet": self.facet, "value": self.value, "today": self.today,
                "base_daily_average": round(self.base_average, 2)}


@dataclass
class Today:
    day: date
    figures: list[Figure]
    trend: list[TrendPoint]
    chart: Chart
    top_incidents: list[IncidentRecord]
    new_incidents: list[IncidentRecord]
    rising: list[RisingTag]
    digest: Any = None  # reports.digest.Digest when available
    digest_text: str = ""
    overview: Overview | None = None
    composition: list[HBarChart] = field(default_factory=list)
    requested: date | None = None  # the day asked for when it had no reports (``day`` is later)
    span: int = 1  # days covered by the composition panel, ending on ``day``

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "requested": self.requested.isoformat() if self.requested else None,
            "span": self.span,
            "composition": self.overview.to_json() if self.overview else None,
            "figures": [f.to_json() for f in self.figures],
            "trend": [t.to_json() for t in self.trend],
            "top_incidents": [r.to_json() for r in self.top_incidents],
            "new_incidents": [r.to_json() for r in self.new_incidents],
            "rising": [t.to_json() for t in self.rising],
        }


def today_in_shanghai(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(SHANGHAI).date()


def latest_report_day(store: Store, day: date) -> date | None:
    """The newest day with a stored report when ``day`` has none (else None)."""
    if _total(store, day, relevant_only=False):
        return None
    newest = store.search(SearchQuery(relevant_only=False, sort="time", limit=1)).hits
    if not newest:
        return None
    document = newest[0].document
    latest = _local_day(document.published_at or document.fetched_at)
    return latest if latest != day else None


def build_today(
    store: Store, day: date, *, data_dir: Path | None = None, with_digest: bool = True,
    span: int = 1,
) -> Today:
    """Collect the page for ``day`` (a Shanghai calendar day); the split covers ``span`` days."""
    yesterday = day - timedelta(days=1)
    trend = [_trend_point(store, day - timedelta(days=n)) for n in reversed(range(TREND_DAYS))]
    by_day = {point.day: point for point in trend}
    documents = [_total(store, d, relevant_only=False) for d in (day, yesterday)]
    new_today, new_yesterday = _new_incidents(store, day)
    relevant = [by_day[d].relevant for d in (day, yesterday)]
    iso = day.isoformat()
    figures = [
        Figure("documents", "收集报道", documents[0], documents[1],
               search={"from": iso, "to": iso, "all": "1", "sort": "time"}),
        Figure("relevant", "相关报道", relevant[0], relevant[1],
               search={"from": iso, "to": iso, "sort": "time"}),
        Figure("new_incidents", "新增事件", len(new_today), len(new_yesterday)),
        Figure("negative_share", "负面占比", by_day[day].negative_share,
               by_day[yesterday].negative_share, percent=True,
               search={"from": iso, "to": iso, "neg_min": "0.6", "sort": "negativity"}),
    ]
    since = _start(day - timedelta(days=TOP_INCIDENT_DAYS - 1))
    top = store.list_incidents(since=since, limit=TOP_INCIDENTS)
    chart = bar_chart(
        f"近 {TREND_DAYS} 日报道量（相关 / 全部）与负面占比",
        [(p.day.isoformat(), p.relevant) for p in trend],
        shares=[p.negative_share for p in trend],
        line_label="负面占比",
        totals=[_total(store, p.day, relevant_only=False) for p in trend],
        totals_label="全部收集",
    )
    page = Today(day, figures, trend, chart, top, new_today, _rising(store, day))
    first = day - timedelta(days=span - 1)
    page.span = span
    page.overview = build_overview(store, first, day, max_documents=OVERVIEW_DOCUMENTS)
    page.composition = composition_charts(page.overview, first, day)
    if with_digest and data_dir is not None:
        page.digest = _digest(store, day, data_dir)
        if page.digest is not None:
            from reports.render import digest_text

            page.digest_text = digest_text(page.digest)
    return page


def composition_charts(overview: Overview, first: date, day: date) -> list[HBarChart]:
    """The period's relevant reports by sentiment band, source type and province."""

    def search(**args: str) -> str:
        from urllib.parse import urlencode

        return "/search?" + urlencode({"from": first.isoformat(), "to": day.isoformat(), **args})

    return [
        hbar_chart(
            "情感分布（负面 / 中性 / 正面）",
            overview.bands,
            tones={band: BAND_KEYS[band] for band, _ in overview.bands},
        ),
        hbar_chart("来源类型", overview.tiers),
        hbar_chart(
            "地区分布（省份）",
            overview.provinces,
            links={p: search(region=p) for p, _ in overview.provinces if p != "未识别地区"},
        ),
    ]


def _total(store: Store, day: date, **filters: Any) -> int:
    return store.search(SearchQuery(date_from=day, date_to=day, limit=1, **filters)).total


def _trend_point(store: Store, day: date) -> TrendPoint:
    relevant = _total(store, day, relevant_only=True)
    negative = _total(store, day, relevant_only=True, negativity_min=NEGATIVE) if relevant else 0
    return TrendPoint(day, relevant, negative)


def _new_incidents(store: Store, day: date) -> tuple[list[IncidentRecord], list[IncidentRecord]]:
    """Incidents first seen on ``day`` and on the day before (one store call)."""
    yesterday = day - timedelta(days=1)
    records = store.list_incidents(since=_start(yesterday), limit=1000)
    today_list, yesterday_list = [], []
    for record in records:
        first = _local_day(record.first_seen)
        if first == day:
            today_list.append(record)
        elif first == yesterday:
            yesterday_list.append(record)
    return today_list, yesterday_list


def _rising(store: Store, day: date) -> list[RisingTag]:
    """Facet values with clearly more relevant reports today than their recent daily average."""
    current = store.search(
        SearchQuery(date_from=day, date_to=day, limit=1, facets=True)
    ).facets
    if not any(current.values()):
        return []
    base = store.search(
        SearchQuery(
            date_from=day - timedelta(days=RISING_BASE_DAYS),
            date_to=day - timedelta(days=1),
            limit=1,
            facets=True,
        )
    ).facets
    tags = []
    for facet, counts in current.items():
        if facet not in FACET_NAMES:
            continue
        before = dict(base.get(facet, []))
        for value, count in counts:
            if not value or count < RISING_MIN:
                continue
            average = before.get(value, 0) / RISING_BASE_DAYS
            if (count + 1) / (average + 1) >= RISING_RATIO:
                tags.append(RisingTag(facet, value, count, average, FACET_PARAMS[facet]))
    tags.sort(key=lambda t: ((t.today + 1) / (t.base_average + 1), t.today), reverse=True)
    return tags[:RISING_SHOWN]


def _digest(store: Store, day: date, data_dir: Path) -> Any:
    """The day's digest from ``reports.digest`` (None when that package is absent or fails)."""
    if importlib.util.find_spec("reports.digest") is None:
        return None
    try:
        from reports.digest import build_digest
        from reports.digest_model import Period
        from reports.history import HISTORY_FILE, LevelHistory
        from reports.state import STATE_DIRNAME

        directory = Path(data_dir) / STATE_DIRNAME
        # Read the level history if the digest job keeps one; never write it from here.
        history = LevelHistory(directory) if (directory / HISTORY_FILE).is_file() else None
        # The page shows its own rising tags; segmenting the day for trending terms is waste here.
        return build_digest(
            store, Period.ending(day), history=history, now=datetime.now(UTC), trending=False
        )
    except Exception:  # noqa: BLE001 - the preview is optional; the page must still render
        logger.exception("could not build the digest preview for %s", day)
        return None


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=SHANGHAI)


def _local_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).date()
