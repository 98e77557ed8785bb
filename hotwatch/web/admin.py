"""用户管理 (``/users``, admins only): the user book of ``hotwatch users`` on the web.

Lists users with role, state and whether they hold an API token; adds a user, changes
a role, resets a password, disables or enables, removes, and makes a new API token
(shown once, on the page that answers the POST). Every form carries the session's CSRF
token; every change is logged with the admin's name. An admin cannot disable, demote or
remove themself here (the CLI can), so the page never locks out the one using it.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from hotwatch.users import ROLES, UserError
from hotwatch.web import context
from hotwatch.web.security import check_csrf, require
from reports.formatting import translate

logger = logging.getLogger(__name__)

bp = Blueprint("admin", __name__)

NOTICES = {
    "added": "已添加用户 {name}",
    "role": "已更改 {name} 的角色",
    "password": "已重设 {name} 的密码（其已登录的会话全部失效）",
    "disabled": "已停用 {name}（会话与访问令牌立即失效）",
    "enabled": "已启用 {name}",
    "removed": "已删除用户 {name}",
}
MESSAGES = (
    (re.compile(r"^bad user name"), "用户名不合规：1-32 个字符，可用中文、字母、数字、“.”“-”“_”"),
    (re.compile(r"^user .* already exists$"), "已有同名用户"),
    (re.compile(r"^unknown role"), "未知角色"),
    (re.compile(r"^the password must be at least (\d+) characters$"), "密码至少 {0} 个字符"),
    (re.compile(r"^no user "), "没有这个用户"),
    (re.compile(r"^user .* is disabled$"), "该用户已停用，不能生成访问令牌"),
)


@bp.get("/users")
def users_page() -> str:
    require("admin")
    notice = NOTICES.get(request.args.get("done", ""), "")
    return _page(notice=notice.format(name=request.args.get("name", "")) if notice else "")


@bp.post("/users")
def add_user() -> Response | tuple[str, int]:
    check_csrf()
    require("admin")
    form = request.form
    name = form.get("name", "").strip()
    try:
        context.users().add(name, form.get("role", ""), form.get("password", ""))
    except UserError as error:
        return _page(error=chinese(error)), 400
    logger.info("%s added user %s (%s)", g.user.name, name, form.get("role"))
    return redirect(url_for("admin.users_page", done="added", name=name))


@bp.post("/users/<string(maxlength=64):name>")
def change_user(name: str) -> Response | tuple[str, int] | str:
    check_csrf()
    require("admin")
    users, action, form = context.users(), request.form.get("action", ""), request.form
    if name == g.user.name and action in ("role", "disable", "remove"):
        return _page(error="不能在此停用、降级或删除自己（请用命令行 hotwatch users）"), 400
    try:
        if action == "role":
            users.set_role(name, form.get("role", ""))
            done = "role"
        elif action == "password":
            users.set_password(name, form.get("password", ""))
            done = "password"
        elif action in ("disable", "enable"):
            users.disable(name, action == "disable")
            done = "disabled" if action == "disable" else "enabled"
        elif action == "remove":
            users.remove(name)
            done = "removed"
        elif action == "token":
            token = users.new_token(name)
            logger.info("%s made a new API token for %s", g.user.name, name)
            return _page(notice=f"{name} 的新访问令牌（只显示这一次，旧令牌已失效）：",
                         token=token)
        else:
            return _page(error="未知操作"), 400
    except UserError as error:
        return _page(error=chinese(error)), 400
    logger.info("%s: %s %s", g.user.name, action, name)
    return redirect(url_for("admin.users_page", done=done, name=name))


def chinese(error: UserError) -> str:
    return translate(str(error), MESSAGES, default=f"操作失败：{error}")


def _page(*, notice: str = "", error: str = "", token: str = "") -> str:
    return render_template(
        "users.html", users=context.users().list(), roles=ROLES, notice=notice, error=error,
        token=token,
    )
