"""The same searches as JSON: ``/api/search``, ``/api/incidents[/<id>]``, ``/api/documents/<id>``,
``/api/today``. Parameters are those of the pages; errors are ``{"error": ..., "status": ...}``.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, request

from hotwatch.web import context
from hotwatch.web.dashboard import (
    SHANGHAI,
    SPANS,
    build_today,
    latest_report_day,
    today_in_shanghai,
)
from hotwatch.web.incident import MAX_REPORTS, build_incident
from hotwatch.web.params import (
    MAX_API_LIMIT,
    parse_day,
    parse_flag,
    parse_int,
    parse_levels,
    parse_search,
)
from hotwatch.web.queries import check_query

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> dict[str, Any]:
    """``{query, page, limit, total, hits, facets}``; ``facets=0`` skips the facet counts."""
    params = parse_search(request.args, max_limit=MAX_API_LIMIT)
    check_query(params.q)
    facets = parse_flag(request.args.get("facets", "1"), "分面统计")
    result = context.api().search(params.query(facets=facets))
    query = params.query()
    return {
        "query": {
            "text": query.text,
            "date_from": query.date_from.isoformat() if query.date_from else None,
            "date_to": query.date_to.isoformat() if query.date_to else None,
            "regions": list(query.regions),
            "hotlines": list(query.hotlines),
            "categories": list(query.categories),
            "sources": list(query.sources),
            "incident_id": query.incident_id,
            "relevant_only": query.relevant_only,
            "negativity_min": query.negativity_min,
            "negativity_max": query.negativity_max,
            "sort": query.sort,
        },
        "page": params.page,
        "limit": params.limit,
        "offset": params.offset,
        **result.to_json(),
    }


@bp.get("/incidents")
def incidents() -> dict[str, Any]:
    """``{incidents: [...]}`` by risk; ``level`` (repeatable), ``since``, ``limit``, ``offset``."""
    levels = parse_levels(request.args.getlist("level"))
    since = parse_day(request.args.get("since"), "起始日期")
    limit = parse_int(request.args.get("limit"), "条数", default=50, low=1, high=MAX_API_LIMIT)
    offset = parse_int(request.args.get("offset"), "偏移", default=0, low=0, high=1_000_000)
    records = context.api().incidents(
        levels=levels,
        since=datetime.combine(since, time(), tzinfo=SHANGHAI) if since else None,
        limit=limit,
        offset=offset,
    )
    return {"incidents": [r.to_json() for r in records], "limit": limit, "offset": offset}


@bp.get("/incidents/<string(maxlength=100):incident_id>")
def incident(incident_id: str) -> dict[str, Any]:
    """The incident record with ``reports`` (oldest first, each with ``official_response``)
    and its handling: ``status``, ``assignee``, ``due_at``, ``overdue``, ``history``."""
    page = build_incident(context.api().incident(incident_id, limit=MAX_REPORTS)).to_json()
    handling = context.api().handling.show(incident_id).to_json()
    return {**page, **{k: v for k, v in handling.items() if k not in page}}


@bp.get("/documents/<string(maxlength=100):doc_id>")
def document(doc_id: str) -> dict[str, Any]:
    return context.api().show(doc_id).to_json()


@bp.get("/today")
def today() -> dict[str, Any]:
    asked = parse_day(request.args.get("date"), "日期")
    span = parse_int(request.args.get("span"), "统计天数", default=1, low=1, high=max(SPANS))
    day = asked or today_in_shanghai()
    latest = None if asked else latest_report_day(context.store(), day)
    page = build_today(context.store(), latest or day, with_digest=False, span=span)
    page.requested = day if latest else None
    return page.to_json()
