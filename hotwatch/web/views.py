"""The HTML pages: 今日, 检索 (+ CSV), 事件列表, 事件, 文档."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, stream_with_context

from analysis.risk import LEVEL_NAMES, LEVELS
from hotwatch.api import Hotwatch
from hotwatch.web import context
from hotwatch.web.dashboard import SPANS, build_today, latest_report_day, today_in_shanghai
from hotwatch.web.export import BATCH, MAX_ROWS, csv_rows
from hotwatch.web.incident import MAX_REPORTS, build_incident
from hotwatch.web.params import (
    CATEGORIES,
    MAX_WINDOW,
    SORT_NAMES,
    SearchParams,
    parse_day,
    parse_int,
    parse_levels,
    parse_search,
)
from hotwatch.web.present import official_terms
from hotwatch.web.queries import check_query
from index import IncidentNotFound, SearchResult
from index.handling_records import STATUS_NAMES, STATUSES
from reports.health import source_health
from reports.state import STATE_DIRNAME

logger = logging.getLogger(__name__)

bp = Blueprint("views", __name__)

INCIDENTS_PER_PAGE = 50
HEALTH_RUNS = 8
FACET_TITLES = {"province": "省份", "city": "城市", "hotline": "热线", "category": "问题类型",
                "source": "来源"}


@bp.get("/")
def today() -> str:
    asked = parse_day(request.args.get("date"), "日期")
    span = parse_int(request.args.get("span"), "统计天数", default=1, low=1, high=max(SPANS))
    day = asked or today_in_shanghai()
    # Without a chosen date, a day with no reports yet shows the latest day that has some.
    latest = None if asked else latest_report_day(context.store(), day)
    config = context.config()
    shown, requested = latest or day, day if latest else None

    def collect() -> Any:
        built = build_today(context.store(), shown, data_dir=config.data_dir, span=span)
        built.requested = requested
        return built

    page = context.pool().cached(("today", shown, span, requested), collect)
    health = source_health(
        Path(config.data_dir) / STATE_DIRNAME, [s.name for s in config.sources],
        silent_runs=config.alert_settings(os.environ).source_silent_runs, shown=HEALTH_RUNS,
    )
    return render_template("today.html", page=page, day=page.day, health=health, spans=SPANS)


@bp.get("/search")
def search() -> str:
    params = parse_search(request.args)
    check_query(params.q)
    result = context.pool().search_with_facets(context.store(), params.query())
    incidents = context.incident_index() if any(h.document.incident_id for h in result.hits) else {}
    return render_template(
        "search.html",
        params=params,
        result=result,
        incidents=incidents,
        pages=pagination(params, result.total),
        categories=CATEGORIES,
        sort_names=SORT_NAMES,
        facet_titles=FACET_TITLES,
    )


@bp.get("/search.csv")
def search_csv() -> Response:
    params = parse_search(request.args)
    check_query(params.q)
    first = context.api().search(params.query(limit=BATCH, offset=0))
    pool, config = context.pool(), context.config()

    def more(offset: int, limit: int) -> SearchResult:
        with pool.store() as store:
            return Hotwatch(config, store=store).search(params.query(limit=limit, offset=offset))

    def body() -> Iterator[bytes]:
        yield from csv_rows(first, more, max_rows=MAX_ROWS)

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    filename = f"hotwatch-search-{stamp}.csv"
    response = Response(stream_with_context(body()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    )
    if first.total > MAX_ROWS:
        response.headers["X-Hotwatch-Truncated"] = f"{MAX_ROWS} of {first.total}"
    return response


@bp.get("/incidents")
def incidents() -> str:
    levels = parse_levels(request.args.getlist("level"))
    page = parse_int(request.args.get("page"), "页码", default=1, low=1, high=1000)
    records = context.api().incidents(
        levels=levels, limit=INCIDENTS_PER_PAGE + 1, offset=(page - 1) * INCIDENTS_PER_PAGE
    )
    return render_template(
        "incidents.html",
        records=records[:INCIDENTS_PER_PAGE],
        has_next=len(records) > INCIDENTS_PER_PAGE,
        page=page,
        levels=levels,
        all_levels=tuple(reversed(LEVELS)),
        level_names=LEVEL_NAMES,
    )


@bp.get("/incidents/<string(maxlength=100):incident_id>")
def incident(incident_id: str) -> str:
    api = context.api()
    page = build_incident(api.incident(incident_id, limit=MAX_REPORTS))
    return render_template(
        "incident.html", page=page, record=page.record,
        handling=api.handling.show(incident_id), statuses=STATUSES, status_names=STATUS_NAMES,
    )


@bp.get("/documents/<string(maxlength=100):doc_id>")
def document(doc_id: str) -> str:
    api = context.api()
    doc = api.show(doc_id)
    record = None
    if doc.incident_id:
        try:
            record = api.incident_record(doc.incident_id)
        except IncidentNotFound:
            record = None
    paragraphs = [p.strip() for p in doc.text.splitlines() if p.strip()]
    return render_template(
        "document.html", doc=doc, record=record, paragraphs=paragraphs,
        official=official_terms(doc),
    )


def pagination(params: SearchParams, total: int) -> dict[str, object]:
    """Page numbers around the current page, as URL parameter sets."""
    last = max(1, min(math.ceil(total / params.limit), MAX_WINDOW // params.limit))
    window = sorted({1, last, *range(max(1, params.page - 2), min(last, params.page + 2) + 1)})
    numbers: list[int | None] = []
    for n in window:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return {
        "current": params.page,
        "last": last,
        "numbers": numbers,
        "prev": params.to_args(page=params.page - 1) if params.page > 1 else None,
        "next": params.to_args(page=params.page + 1) if params.page < last else None,
        "first_shown": params.offset + 1 if total else 0,
        "last_shown": min(params.offset + params.limit, total),
    }
