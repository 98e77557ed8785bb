"""The picture of a period for charts: volume per day, sentiment bands, source types, provinces.

Totals per day come from ``store.search(...).total``; the splits come from the
period's relevant documents themselves (at most ``MAX_DOCUMENTS``, newest first),
each labelled with ``analysis.sentiment.bands.negativity_band`` so a chart never
uses another threshold than the labels do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from analysis.sentiment.bands import negativity_band
from index import SearchQuery, Store
from index.records import StoredDocument
from reports.formatting import SHANGHAI, TIER_NAMES

BANDS = ("负面", "中性", "正面")
MAX_DOCUMENTS = 5000
PAGE = 500
TOP_PROVINCES = 12
UNKNOWN_TIER = "其他来源"
UNKNOWN_PROVINCE = "未识别地区"


@dataclass(frozen=True)
class DayVolume:
    day: date
    collected: int
    relevant: int
    negative: int  # relevant documents in the 负面 band

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "collected": self.collected,
                "relevant": self.relevant, "negative": self.negative}


@dataclass(frozen=True)
class Overview:
    """Charts' data for ``start``..``end`` (Shanghai days, inclusive)."""

    start: date
    end: date
    days: list[DayVolume]
    bands: list[tuple[str, int]]
    tiers: list[tuple[str, int]]
    provinces: list[tuple[str, int]]
    relevant: int
    counted: int  # documents behind the splits (all of them unless above MAX_DOCUMENTS)

    @property
    def complete(self) -> bool:
        return self.counted >= self.relevant

    def to_json(self) -> dict[str, Any]:
        return {
            "date_from": self.start.isoformat(),
            "date_to": self.end.isoformat(),
            "days": [d.to_json() for d in self.days],
            "sentiment": [{"band": b, "documents": n} for b, n in self.bands],
            "tiers": [{"tier": t, "documents": n} for t, n in self.tiers],
            "provinces": [{"province": p, "documents": n} for p, n in self.provinces],
            "relevant": self.relevant,
            "counted": self.counted,
        }


def build_overview(
    store: Store,
    start: date,
    end: date,
    *,
    text: str = "",
    trend_start: date | None = None,
    max_documents: int = MAX_DOCUMENTS,
) -> Overview:
    """Splits over ``start``..``end``; the daily volume from ``trend_start`` (default ``start``)."""
    docs, relevant = period_documents(store, start, end, text=text, limit=max_documents)
    negative_days: Counter[date] = Counter()
    for doc in docs:
        if doc.negativity is not None and negativity_band(doc.negativity) == "负面":
            negative_days[_day(doc)] += 1
    days = []
    day = trend_start or start
    while day <= end:
        collected = _total(store, day, text, relevant_only=False)
        count = _total(store, day, text, relevant_only=True) if collected else 0
        negative = negative_days[day] if start <= day else _negative(store, day, text)
        days.append(DayVolume(day, collected, count, negative))
        day += timedelta(days=1)
    return Overview(
        start=start,
        end=end,
        days=days,
        bands=band_counts(docs),
        tiers=_ranked(Counter(TIER_NAMES.get(d.tier or 0, UNKNOWN_TIER) for d in docs)),
        provinces=_ranked(Counter(_province(d) for d in docs))[:TOP_PROVINCES],
        relevant=relevant,
        counted=len(docs),
    )


def band_counts(docs: list[StoredDocument]) -> list[tuple[str, int]]:
    """Documents per band, in the order 负面, 中性, 正面 (documents without a score skipped)."""
    counts = Counter(negativity_band(d.negativity) for d in docs if d.negativity is not None)
    return [(band, counts[band]) for band in BANDS]


def period_documents(
    store: Store, start: date, end: date, *, text: str = "", limit: int = MAX_DOCUMENTS
) -> tuple[list[StoredDocument], int]:
    """The period's relevant documents (newest first, at most ``limit``) and their total."""
    docs: list[StoredDocument] = []
    total = 0
    while len(docs) < limit:
        result = store.search(
            SearchQuery(text=text, date_from=start, date_to=end, sort="time",
                        limit=min(PAGE, limit - len(docs)), offset=len(docs))
        )
        total = result.total
        docs += [hit.document for hit in result.hits]
        if not result.hits or len(docs) >= total:
            break
    return docs, total


def _negative(store: Store, day: date, text: str) -> int:
    """Negative documents of a day outside the period (trend context), labelled one by one."""
    docs, _ = period_documents(store, day, day, text=text)
    return sum(1 for d in docs if d.negativity is not None and negativity_band(d.negativity)
               == "负面")


def _total(store: Store, day: date, text: str, **filters: Any) -> int:
    query = SearchQuery(text=text, date_from=day, date_to=day, limit=1, **filters)
    return store.search(query).total


def _day(doc: StoredDocument) -> date:
    moment = doc.published_at or doc.fetched_at
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).date()


def _province(doc: StoredDocument) -> str:
    for region in doc.regions:
        if region.get("province"):
            return region["province"]
    return UNKNOWN_PROVINCE


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
