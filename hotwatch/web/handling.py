"""The PR desk on the web: the 待办 list, the handling form on the incident page, and
``POST /api/incidents/<id>`` (JSON ``{"status", "assignee", "note"}``).

A change needs the ``analyst`` role (or ``admin``; a ``viewer`` gets 403) and is
recorded under the user's name, or as ``web:token`` (the shared access token) or
``web:loopback`` (no users and no token, loopback only). A POST with the session cookie
must carry the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); a Bearer request needs none, since no browser adds that header.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from hotwatch.web import context
from hotwatch.web.params import parse_flag
from hotwatch.web.security import check_csrf, csrf_valid, require
from index.handling_records import OPEN_STATUSES, STATUS_NAMES, STATUSES, InvalidChange

bp = Blueprint("handling", __name__)

TODO_LIMIT = 200
API_FIELDS = {"status", "assignee", "note"}


@bp.get("/todo")
def todo() -> str:
    """待办: open incidents (or the chosen statuses) by deadline, soonest first."""
    statuses = [s for s in request.args.getlist("status") if s]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise InvalidChange(f"unknown status {unknown[0]!r} (choose from {', '.join(STATUSES)})")
    assignee = request.args.get("assignee", "").strip() or None
    overdue = parse_flag(request.args.get("overdue", "0"), "只看逾期")
    rows = context.api().handling.todo(
        statuses=statuses or OPEN_STATUSES, assignee=assignee, overdue=overdue, limit=TODO_LIMIT,
        records=context.pool().every_incident,
    )
    return render_template(
        "todo.html",
        rows=rows,
        statuses=statuses or list(OPEN_STATUSES),
        assignee=assignee or "",
        overdue=overdue,
        all_statuses=STATUSES,
        status_names=STATUS_NAMES,
    )


@bp.post("/incidents/<string(maxlength=100):incident_id>/handling")
def change_form(incident_id: str) -> Response:
    check_csrf()
    require("analyst")
    form = request.form
    context.api().handling.change(
        incident_id,
        user=web_user(),
        status=form.get("status") or None,
        assignee=form.get("assignee", "").strip(),
        note=form.get("note", ""),
    )
    return redirect(url_for("views.incident", incident_id=incident_id) + "#handling")


@bp.post("/api/incidents/<string(maxlength=100):incident_id>")
def change_api(incident_id: str) -> dict[str, Any]:
    """Change status, assignee or add a note; answers the incident's handling as
    ``GET /api/incidents/<id>`` does (``status``, ``assignee``, ``due_at``, ``history``)."""
    if request.headers.get("Authorization") is None:
        if not csrf_valid(request.headers.get("X-CSRF-Token", "")):
            abort(403, description="missing or wrong CSRF token (send X-CSRF-Token)")
    require("analyst")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidChange('the body must be a JSON object such as {"status": "handling"}')
    unknown = sorted(set(body) - API_FIELDS)
    if unknown:
        raise InvalidChange(f"unknown field(s): {', '.join(unknown)}")
    for name, value in body.items():
        if value is not None and not isinstance(value, str):
            raise InvalidChange(f"{name} must be a string")
    changed = context.api().handling.change(
        incident_id,
        user=web_user(),
        status=body.get("status"),
        assignee=body.get("assignee"),
        note=body.get("note") or "",
    )
    return changed.to_json()


def web_user() -> str:
    return str(g.user.name)
