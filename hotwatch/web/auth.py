"""Logging in with the access token (a form with a CSRF token), and logging out (POST)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from hotwatch.web import security

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    token: str | None = current_app.config.get("HOTWATCH_TOKEN")
    target = security.safe_next(request.values.get("next"))
    if not token:
        return redirect(target)
    if request.method == "GET":
        return render_template("login.html", next=target, error=None)
    security.check_csrf()
    if security.token_matches(token, request.form.get("token", "")):
        security.log_in()
        logger.info("login from %s", request.remote_addr)
        return redirect(target)
    logger.warning("failed login from %s", request.remote_addr)
    return render_template("login.html", next=target, error="访问令牌不正确"), 403


@bp.post("/logout")
def logout() -> Response:
    security.check_csrf()
    security.log_out()
    return redirect(url_for("auth.login"))
