"""Who may use the web page, and the headers every response carries.

* Named users (``hotwatch users add``): once one exists, every request needs a login
  (a server-side session: logout, a password change or disabling the user ends it) or
  ``Authorization: Bearer <user's API token>``, on loopback too. ``g.user`` carries
  the name and role (viewer reads; analyst changes handling; admin as well).
* The shared access token (``HOTWATCH_WEB_TOKEN``), the way before users: as a Bearer
  header or through the login form (when no user exists) it acts as ``web:token``, an
  admin. Off loopback, users or a token are needed (``check_listen``).
* With neither (loopback only) the Host header must name the loopback address, so a web
  page cannot reach the server through DNS rebinding; the caller is ``web:loopback``.
* Session cookies are HttpOnly, SameSite=Strict, signed with a key kept in the user
  book (the same in every worker; mixed with the token, so changing it logs out).
* Every POST carries a CSRF token bound to the session.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for

from hotwatch.users import Book, User
from hotwatch.users.rules import ROLE_NAMES
from hotwatch.web.listen import ListenError, check_listen, is_loopback

__all__ = ["ListenError", "check_listen", "install", "is_loopback"]

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Opening an original article must not tell its site what was searched here.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
OPEN_ENDPOINTS = {"static", "auth.login", "auth.logout"}
SESSION_KEY = "auth"
TOKEN_USER = User("web:token", "admin")
LOOPBACK_USER = User("web:loopback", "admin")
CSRF_KEY = "csrf"
CSRF_PLACEHOLDER = "hotwatch-csrf-placeholder-5e1c0b"
CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode("ascii")
DEFERRED_KEY = "csrf_deferred"


def install(app: Flask, token: str | None, users: Book) -> None:
    """Session settings, the auth check before each request and headers after it."""
    app.config.update(
        SECRET_KEY=_secret_key(token, users),
        SESSION_COOKIE_NAME="hotwatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # Session cookies must not outlive the browser when the token may be shared.
        SESSION_PERMANENT=False,
    )
    guarded = bool(token) or users.any_users()
    if not guarded:
        # Only this machine may connect, and only under its own name (no DNS rebinding).
        app.config["TRUSTED_HOSTS"] = list(LOOPBACK_HOSTS)

    @app.before_request
    def _authenticate() -> Response | None:
        g.users_exist = users.any_users()
        g.auth_enabled = bool(token) or g.users_exist
        g.user = _caller(token, users, g.users_exist, open_on_loopback=not guarded)
        g.authenticated = g.user is not None
        if g.authenticated or request.endpoint in OPEN_ENDPOINTS:
            return None
        if request.path.startswith("/api/") or request.headers.get("Authorization"):
            response = app.json.response({"error": "需要登录或访问令牌（Authorization: Bearer …）"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="hotwatch"'
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if g.get("users_exist") or token:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["may"] = may
    app.jinja_env.globals["role_names"] = ROLE_NAMES


def _caller(
    token: str | None, users: Book, users_exist: bool, *, open_on_loopback: bool
) -> User | None:
    """Who sent this request: a user, ``web:token``, ``web:loopback``, or nobody.

    ``web:loopback`` only when the server started with neither users nor a token (so it
    listens on loopback only): removing every user later does not open a server that
    was started on another address."""
    bearer = _bearer()
    if bearer is not None:
        if token and token_matches(token, bearer):
            return TOKEN_USER
        user = users.user_for_token(bearer) if users_exist else None
        if user is not None or token or users_exist:
            return user  # a wrong Bearer token is refused, whatever cookie comes with it
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str) and users_exist:
        return users.user_for_session(session_id)
    if session_id is True and token:
        return TOKEN_USER  # logged in with the shared token
    if open_on_loopback and not users_exist:
        return LOOPBACK_USER
    return None


def may(role: str) -> bool:
    """Whether this request's caller has ``role`` (or a higher one)."""
    user = g.get("user")
    return user is not None and user.may(role)


def require(role: str) -> None:
    """403 with a one-line reason unless the caller has ``role``."""
    if not may(role):
        user = g.get("user")
        name = user.name if user else "匿名"
        abort(403, description=f"没有权限：{name} 的角色不能执行此操作（需要 {ROLE_NAMES[role]}）")


def token_matches(token: str, candidate: str) -> bool:
    return hmac.compare_digest(token.encode("utf-8"), candidate.encode("utf-8"))


def log_in(session_id: str | bool) -> None:
    """Mark this session as a user's (a server-side session id) or as logged in with the
    shared token (``True``); a fresh session, so no fixation."""
    session.clear()
    session[SESSION_KEY] = session_id
    session[CSRF_KEY] = secrets.token_urlsafe(24)


def log_out(users: Book) -> None:
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        users.close_session(session_id)
    session.clear()


def defer_csrf() -> None:
    """Render CSRF tokens of this request as ``CSRF_PLACEHOLDER``; the page cache puts
    real ones in after rendering (a cached page serves many sessions)."""
    setattr(g, DEFERRED_KEY, True)


def csrf_deferred() -> bool:
    return bool(g.get(DEFERRED_KEY))


def csrf_token() -> str:
    """The session's CSRF token, masked afresh for each use (or the placeholder)."""
    return CSRF_PLACEHOLDER if csrf_deferred() else real_csrf_token()


def real_csrf_token() -> str:
    """The session's CSRF token, masked afresh for each use.

    Each page shows a different string (a random pad, then the token XOR the pad), so a
    gzip-compressed page never repeats the secret for a BREACH-style length probe.
    """
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(24)
    secret = str(session[CSRF_KEY]).encode()
    pad = secrets.token_bytes(len(secret))
    masked = bytes(a ^ b for a, b in zip(pad, secret, strict=True))
    return base64.urlsafe_b64encode(pad + masked).decode()


def csrf_valid(given: str) -> bool:
    """Whether ``given`` (masked as ``csrf_token`` makes it) is this session's token."""
    expected = str(session.get(CSRF_KEY, "")).encode()
    if not expected:
        return False
    try:
        raw = base64.urlsafe_b64decode(given.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    pad, masked = raw[: len(raw) // 2], raw[len(raw) // 2 :]
    if len(pad) != len(expected) or len(masked) != len(expected):
        return False
    return hmac.compare_digest(bytes(a ^ b for a, b in zip(pad, masked, strict=True)), expected)


def check_csrf() -> None:
    """Abort with 400 unless the POSTed form carries this session's CSRF token."""
    if not csrf_valid(request.form.get("csrf_token", "")):
        logger.warning("CSRF check failed for %s", request.path)
        abort(400, description="表单已过期或来源不明，请刷新页面后重试")


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in; anything else goes home (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target:
        return "/"
    return target


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _secret_key(token: str | None, users: Book) -> bytes:
    return hmac.new(users.secret(), (token or "").encode("utf-8"), "sha256").digest()
