"""Query parameters of the search pages: parsed, validated, and written back into URLs.

Every bad value raises ``ParamError`` with a Chinese message for the page (HTTP 400).
The search lives entirely in the URL so it can be bookmarked:

    /search?q=12345 AND 骂&from=2021-04-01&to=2021-04-30&region=新乡&category=rudeness
           &hotline=12345&source=fixture&neg_min=0.6&neg_max=1&all=1&sort=time&page=2&limit=20

``incident`` limits the search to one incident's reports. ``region``, ``hotline`` and
``source`` take several values, repeated or separated by
commas, ``、`` or spaces; ``category`` is repeated (one checkbox each).

Not filterable through the store interface (so not offered): risk level of a
document's incident (the incidents list filters by level instead) and source tier.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from analysis.risk import LEVELS
from hotwatch.api.search import normalise_filters
from index import SearchQuery
from index.records import SORT_ORDERS
from reports.formatting import CATEGORY_NAMES

#: The failure types, in the CLI's order (``hotwatch search --category``), with Chinese names.
CATEGORIES = tuple(CATEGORY_NAMES)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_API_LIMIT = 1000
#: Elasticsearch's default ``index.max_result_window``: no page may reach past it.
MAX_WINDOW = 10_000
MAX_QUERY_LENGTH = 500
MAX_VALUES = 20
_SPLIT = re.compile(r"[,，、;；\s]+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SORT_NAMES = {"relevance": "相关度", "time": "时间", "negativity": "负面度"}


class ParamError(ValueError):
    """A query parameter that cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class SearchParams:
    """A search as the URL states it (user spelling, before tag normalisation)."""

    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    regions: tuple[str, ...] = ()
    hotlines: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    incident: str = ""
    negativity_min: float | None = None
    negativity_max: float | None = None
    include_all: bool = False
    sort: str = "relevance"
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    @property
    def filtered(self) -> bool:
        """Whether any filter beyond the query text is set."""
        return bool(
            self.date_from or self.date_to or self.regions or self.hotlines or self.categories
            or self.sources or self.incident or self.negativity_min is not None
            or self.negativity_max is not None or self.include_all
        )

    def query(self, *, facets: bool = False, limit: int | None = None,
              offset: int | None = None) -> SearchQuery:
        """The store query, filters normalised like the CLI's (市长热线 → 12345)."""
        return normalise_filters(
            SearchQuery(
                text=self.q,
                date_from=self.date_from,
                date_to=self.date_to,
                regions=self.regions,
                hotlines=self.hotlines,
                categories=self.categories,
                sources=self.sources,
                incident_id=self.incident or None,
                relevant_only=not self.include_all,
                negativity_min=self.negativity_min,
                negativity_max=self.negativity_max,
                sort=self.sort,  # type: ignore[arg-type]
                limit=self.limit if limit is None else limit,
                offset=self.offset if offset is None else offset,
                facets=facets,
            )
        )

    def to_args(self, **changes: Any) -> MultiDict[str, str]:
        """URL parameters for this search (with ``changes``), defaults left out."""
        params = replace(self, **changes) if changes else self
        args: MultiDict[str, str] = MultiDict()
        if params.q:
            args.add("q", params.q)
        if params.date_from:
            args.add("from", params.date_from.isoformat())
        if params.date_to:
            args.add("to", params.date_to.isoformat())
        for name, values in (
            ("region", params.regions),
            ("hotline", params.hotlines),
            ("source", params.sources),
        ):
            if values:
                args.add(name, ",".join(values))
        for category in params.categories:
            args.add("category", category)
        if params.incident:
            args.add("incident", params.incident)
        if params.negativity_min is not None:
            args.add("neg_min", _number(params.negativity_min))
        if params.negativity_max is not None:
            args.add("neg_max", _number(params.negativity_max))
        if params.include_all:
            args.add("all", "1")
        if params.sort != "relevance":
            args.add("sort", params.sort)
        if params.page != 1:
            args.add("page", str(params.page))
        if params.limit != DEFAULT_LIMIT:
            args.add("limit", str(params.limit))
        return args

    def toggled(self, facet: str, value: str) -> MultiDict[str, str]:
        """URL parameters with ``value`` added to (or removed from) a facet's filter; page 1."""
        name = {"province": "regions", "city": "regions", "hotline": "hotlines",
                "category": "categories", "source": "sources"}[facet]
        current: tuple[str, ...] = getattr(self, name)
        values = (
            tuple(v for v in current if v != value) if value in current else (*current, value)
        )
        return self.to_args(**{name: values, "page": 1})

    def is_selected(self, facet: str, value: str) -> bool:
        name = {"province": "regions", "city": "regions", "hotline": "hotlines",
                "category": "categories", "source": "sources"}[facet]
        return value in getattr(self, name)


def parse_search(args: MultiDict[str, str], *, max_limit: int = MAX_LIMIT) -> SearchParams:
    """Read and validate the search parameters; raises ``ParamError``."""
    q = args.get("q", "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise ParamError(f"查询过长（最多 {MAX_QUERY_LENGTH} 个字符）")
    date_from = parse_day(args.get("from"), "开始日期")
    date_to = parse_day(args.get("to"), "结束日期")
    if date_from and date_to and date_from > date_to:
        raise ParamError("开始日期不能晚于结束日期")
    categories = _values(args.getlist("category"), "类型")
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise ParamError(f"未知的问题类型：{unknown[0]}（可选：{'、'.join(CATEGORIES)}）")
    negativity_min = _fraction(args.get("neg_min"), "负面度下限")
    negativity_max = _fraction(args.get("neg_max"), "负面度上限")
    if (
        negativity_min is not None
        and negativity_max is not None
        and negativity_min > negativity_max
    ):
        raise ParamError("负面度下限不能大于上限")
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORT_ORDERS:
        raise ParamError(
            f"未知的排序方式：{sort}（可选：相关度 relevance、时间 time、负面度 negativity）"
        )
    page = parse_int(args.get("page"), "页码", default=1, low=1, high=MAX_WINDOW)
    limit = parse_int(args.get("limit"), "每页条数", default=DEFAULT_LIMIT, low=1, high=max_limit)
    if page * limit > MAX_WINDOW:
        raise ParamError(f"最多只能翻到第 {MAX_WINDOW} 条结果，请缩小检索范围")
    return SearchParams(
        q=q,
        date_from=date_from,
        date_to=date_to,
        regions=_values(args.getlist("region"), "地区"),
        hotlines=_values(args.getlist("hotline"), "热线"),
        categories=categories,
        sources=_values(args.getlist("source"), "来源"),
        incident=_identifier(args.get("incident"), "事件编号"),
        negativity_min=negativity_min,
        negativity_max=negativity_max,
        include_all=parse_flag(args.get("all"), "全部文档"),
        sort=sort,
        page=page,
        limit=limit,
    )


def parse_day(value: str | None, label: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _DATE.match(value):
        raise ParamError(f"{label}格式不对：{value}（应为 年-月-日，例如 2021-04-25）")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ParamError(f"{label}不存在：{value}") from None


def parse_int(value: str | None, label: str, *, default: int, low: int, high: int) -> int:
    value = (value or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ParamError(f"{label}必须是整数：{value}") from None
    if not low <= number <= high:
        raise ParamError(f"{label}必须在 {low} 到 {high} 之间：{value}")
    return number


def parse_flag(value: str | None, label: str) -> bool:
    value = (value or "").strip().lower()
    if value in ("", "0", "false", "off", "no"):
        return False
    if value in ("1", "true", "on", "yes"):
        return True
    raise ParamError(f"{label}开关只能是 1 或 0：{value}")


def parse_levels(values: Iterable[str]) -> tuple[str, ...]:
    levels = _values(values, "风险等级")
    unknown = [v for v in levels if v not in LEVELS]
    if unknown:
        raise ParamError(f"未知的风险等级：{unknown[0]}（可选：red、orange、yellow、blue）")
    return levels


def _identifier(value: str | None, label: str) -> str:
    value = (value or "").strip()
    if len(value) > 64 or any(ch.isspace() for ch in value):
        raise ParamError(f"{label}格式不对")
    return value


def _fraction(value: str | None, label: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ParamError(f"{label}必须是 0 到 1 之间的数：{value}") from None
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise ParamError(f"{label}必须是 0 到 1 之间的数：{value}")
    return number


def _values(raw: Iterable[str], label: str) -> tuple[str, ...]:
    values: list[str] = []
    for item in raw:
        for value in _SPLIT.split(item):
            value = value.strip()
            if value and value not in values:
                if len(value) > 50:
                    raise ParamError(f"{label}过长：{value[:20]}…")
                values.append(value)
    if len(values) > MAX_VALUES:
        raise ParamError(f"{label}最多 {MAX_VALUES} 个")
    return tuple(values)


def _number(value: float) -> str:
    return f"{value:g}"
