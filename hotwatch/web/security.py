"""Who may use the web page, and the headers every response carries.

* ``check_listen`` (in ``listen``): off loopback an access token (≥ 16 characters) is needed.
* With a token every request needs ``Authorization: Bearer <token>`` or the session
  cookie the login form sets (HttpOnly, SameSite=Strict, signed with a key derived
  from the token, so changing the token logs everyone out).
* Without a token (loopback only) the Host header must name the loopback address,
  so a web page cannot reach the server through DNS rebinding.
* Every POST carries a CSRF token bound to the session.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for

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
CSRF_KEY = "csrf"


def install(app: Flask, token: str | None) -> None:
    """Session settings, the auth check before each request and headers after it."""
    app.config.update(
        SECRET_KEY=_secret_key(token),
        SESSION_COOKIE_NAME="hotwatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # Session cookies must not outlive the browser when the token may be shared.
        SESSION_PERMANENT=False,
    )
    if not token:
        # Only this machine may connect, and only under its own name (no DNS rebinding).
        app.config["TRUSTED_HOSTS"] = list(LOOPBACK_HOSTS)

    @app.before_request
    def _authenticate() -> Response | None:
        if not token:
            g.auth_method = "loopback"
        elif _bearer_ok(token):
            g.auth_method = "token"
        elif _session_ok():
            g.auth_method = "session"
        g.authenticated = "auth_method" in g
        if g.authenticated or request.endpoint in OPEN_ENDPOINTS:
            return None
        if request.path.startswith("/api/") or request.headers.get("Authorization"):
            response = app.json.response({"error": "需要访问令牌（Authorization: Bearer …）"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="hotwatch"'
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if token:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["auth_enabled"] = bool(token)


def token_matches(token: str, candidate: str) -> bool:
    return hmac.compare_digest(token.encode("utf-8"), candidate.encode("utf-8"))


def log_in() -> None:
    """Mark this session as authenticated (a fresh session: no fixation)."""
    session.clear()
    session[SESSION_KEY] = True
    session[CSRF_KEY] = secrets.token_urlsafe(24)


def log_out() -> None:
    session.clear()


def csrf_token() -> str:
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


def _bearer_ok(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and bool(value) and token_matches(token, value.strip())


def _session_ok() -> bool:
    # The cookie is signed with a key derived from the token: only its holder can mint one.
    return session.get(SESSION_KEY) is True


def _secret_key(token: str | None) -> bytes:
    if token:
        return hmac.new(token.encode("utf-8"), b"hotwatch-web-secret-key", "sha256").digest()
    return secrets.token_bytes(32)
