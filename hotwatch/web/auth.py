"""Logging in (a named user's password, or the shared access token while no user exists;
a form with a CSRF token, throttled after repeated failures), and logging out (POST)."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from hotwatch.users import LoginThrottled
from hotwatch.web import context, security

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    token: str | None = current_app.config.get("HOTWATCH_TOKEN")
    users = context.users()
    named = bool(g.get("users_exist"))
    target = security.safe_next(request.values.get("next"))
    if not token and not named:
        return redirect(target)
    if request.method == "GET":
        return render_template("login.html", next=target, error=None, named=named)
    security.check_csrf()
    client = request.remote_addr or "?"
    if named:
        name = request.form.get("name", "").strip()
        try:
            user = users.login(name, request.form.get("password", ""), client)
        except LoginThrottled as error:
            logger.warning("login throttled for %r from %s", name, client)
            minutes = max(1, error.seconds // 60)
            return _form(target, f"登录失败次数过多，请 {minutes} 分钟后再试", 429)
        if user is None:
            logger.warning("failed login for %r from %s", name, client)
            return _form(target, "用户名或密码不正确（或账号已停用）", 403)
        security.log_in(users.open_session(user.name))
        logger.info("login of %s (%s) from %s", user.name, user.role, client)
        return redirect(target)
    if token and security.token_matches(token, request.form.get("token", "")):
        security.log_in(True)
        logger.info("login with the access token from %s", client)
        return redirect(target)
    logger.warning("failed login from %s", client)
    return _form(target, "访问令牌不正确", 403)


def _form(target: str, error: str, status: int) -> tuple[str, int]:
    return render_template("login.html", next=target, error=error, named=True
                           if g.get("users_exist") else False), status


@bp.post("/logout")
def logout() -> Response:
    security.check_csrf()
    security.log_out(context.users())
    return redirect(url_for("auth.login"))
