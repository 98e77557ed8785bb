"""The mobile API's addresses and how to read its answers.

An answer is either data, the normal end of paging, or a problem: the API's ways of
saying "blocked" (HTTP 418/432/403, ``{"ok": -100, "url": "...login..."}``, a redirect
to the login page, a captcha or login page in HTML instead of JSON), an ``ok: 0`` with
a message on a first page, or a body that is not JSON at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

DEFAULT_API_BASE = "https://m.weibo.cn"
SEARCH_CONTAINER = "100103type=1&q={query}"
USER_CONTAINER = "107603{uid}"
BLOCKED_STATUSES = (403, 418, 432)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
LOGIN_MARKERS = ("passport.weibo", "login", "signin", "visitor")
# ok: 0 with one of these on a first page means "nothing found", not a refusal.
NO_CONTENT_MESSAGES = ("这里还没有内容", "暂无", "没有找到", "no content")


def search_url(api_base: str, query: str, page: int) -> str:
    container = SEARCH_CONTAINER.format(query=query)
    params = {"containerid": container, "page_type": "searchall", "page": page}
    return f"{api_base}/api/container/getIndex?{urlencode(params, quote_via=quote)}"


def timeline_url(api_base: str, uid: str, *, since_id: str = "", page: int = 1) -> str:
    params: dict[str, Any] = {"type": "uid", "value": uid, "containerid": f"107603{uid}"}
    if since_id:
        params["since_id"] = since_id
    elif page > 1:
        params["page"] = page
    return f"{api_base}/api/container/getIndex?{urlencode(params, quote_via=quote)}"


def extend_url(api_base: str, post_id: str) -> str:
    return f"{api_base}/statuses/extend?{urlencode({'id': post_id})}"


@dataclass
class Answer:
    """What one API response says: ``data``, ``end`` of paging, or a ``problem``."""

    data: dict[str, Any] = field(default_factory=dict)
    end: bool = False
    problem: str = ""


def read_answer(
    status: int, headers: dict[str, str], body: bytes, *, first_page: bool = True
) -> Answer:
    """Classify one response of the API (``headers`` with lower-case names)."""
    if status in BLOCKED_STATUSES:
        return Answer(problem=f"blocked (HTTP {status})")
    if status in REDIRECT_STATUSES:
        location = headers.get("location", "")
        if any(marker in location.lower() for marker in LOGIN_MARKERS):
            return Answer(problem=f"login required (HTTP {status} to the login page)")
        return Answer(problem=f"unexpected redirect (HTTP {status} to {location or '?'})")
    if status != 200:
        return Answer(problem=f"HTTP {status}")
    if _looks_like_html(headers.get("content-type", ""), body):
        return Answer(problem="blocked (captcha or login page instead of JSON)")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Answer(problem=f"malformed JSON ({error.__class__.__name__}: {error})")
    if not isinstance(payload, dict):
        return Answer(problem="malformed JSON (not an object)")
    return _read_payload(payload, first_page=first_page)


def _read_payload(payload: dict[str, Any], *, first_page: bool) -> Answer:
    ok = payload.get("ok")
    if ok == 1:
        data = payload.get("data")
        if not isinstance(data, dict):
            return Answer(problem="malformed JSON (ok 1 without data)")
        return Answer(data=data)
    if ok == -100:
        return Answer(problem="login required (ok -100)")
    message = str(payload.get("msg") or "").strip()
    if ok == 0 and (not first_page or _no_content(message)):
        return Answer(end=True)
    if ok == 0:
        return Answer(problem=f"refused (ok 0: {message or 'no message'})")
    return Answer(problem=f"unexpected answer (ok {ok!r})")


def _no_content(message: str) -> bool:
    return not message or any(marker in message for marker in NO_CONTENT_MESSAGES)


def _looks_like_html(content_type: str, body: bytes) -> bool:
    start = body.lstrip()[:1]
    return "html" in content_type.lower() or start == b"<"
