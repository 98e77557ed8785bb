"""Posting to group robots, each signed the way its platform documents it.

- DingTalk custom robot: ``timestamp`` (ms) and ``sign`` = URL-encoded Base64 of
  HMAC-SHA256 keyed by the secret over ``"{timestamp}\\n{secret}"``, both appended
  to the webhook URL.
- Feishu custom bot: ``timestamp`` (s) and ``sign`` = Base64 of HMAC-SHA256 keyed by
  ``"{timestamp}\\n{secret}"`` over an empty message, both in the JSON body.
- WeCom group robot: no signature; the key is part of the URL.
- Generic webhook with a secret: ``X-Hotwatch-Timestamp`` (s) and
  ``X-Hotwatch-Signature: sha256=<hex HMAC-SHA256 over "{timestamp}.{body}">``.

Signing happens at each attempt, so a message retried from the outbox hours later
carries a fresh timestamp (DingTalk and Feishu refuse signatures older than an hour).
A robot that answers HTTP 200 with ``errcode``/``code`` other than 0 has refused the
message: that is a failure like an HTTP error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reports.channels.config import Channel
from reports.errors import DeliveryError

USER_AGENT = "hotwatch"
MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class SignedRequest:
    url: str
    body: bytes
    headers: dict[str, str]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` query value (already URL-encoded)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """The ``sign`` body field: the key is ``timestamp\\nsecret``, the message is empty."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def webhook_sign(secret: str, timestamp_s: int, body: bytes) -> str:
    message = str(timestamp_s).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_request(channel: Channel, payload: dict[str, Any], now: datetime) -> SignedRequest:
    """The exact request for ``channel`` at ``now``."""
    if channel.url is None:
        raise DeliveryError(channel.missing() or f"channel {channel.name} has no URL")
    url = channel.url
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    seconds = int(now.timestamp())
    payload = dict(payload)
    if channel.type == "dingtalk" and channel.secret:
        millis = int(now.timestamp() * 1000)
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        url = f"{url}{separator}timestamp={millis}&sign={dingtalk_sign(channel.secret, millis)}"
    elif channel.type == "feishu" and channel.secret:
        payload = {"timestamp": str(seconds), "sign": feishu_sign(channel.secret, seconds),
                   **payload}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    if channel.type == "webhook" and channel.secret:
        headers["X-Hotwatch-Timestamp"] = str(seconds)
        headers["X-Hotwatch-Signature"] = webhook_sign(channel.secret, seconds, body)
    return SignedRequest(url, body, headers)


def post(channel: Channel, payload: dict[str, Any], now: datetime) -> None:
    """Send one message; raises ``DeliveryError`` with a one-line reason when it is refused."""
    problem = channel.missing()
    if problem:
        raise DeliveryError(problem)
    signed = signed_request(channel, payload, now)
    request = urllib.request.Request(
        signed.url, data=signed.body, method="POST", headers=signed.headers
    )
    try:
        with urllib.request.urlopen(request, timeout=channel.timeout) as response:
            answer = response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"channel {channel.name} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"channel {channel.name} unreachable: {reason}") from None
    refusal = robot_refusal(channel.type, answer)
    if refusal:
        raise DeliveryError(f"channel {channel.name} refused the message: {refusal}")


def robot_refusal(kind: str, answer: bytes) -> str | None:
    """The robot's error (``errcode 310000 sign not match``) in a 200 answer, or None."""
    if kind not in ("dingtalk", "wecom", "feishu"):
        return None
    try:
        data = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"an answer that is not JSON: {answer[:80]!r}"
    if not isinstance(data, dict):
        return f"an unexpected answer: {str(data)[:80]}"
    for code_key, message_key in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "msg")):
        if code_key in data:
            code = data[code_key]
            if code != 0:
                message = data.get(message_key) or data.get("StatusMessage") or ""
                return f"{code_key} {code} {message}".strip()
            return None
    return f"an answer without errcode: {str(data)[:80]}"
