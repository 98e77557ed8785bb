"""Loopback group robots that check requests the way DingTalk, WeCom and Feishu document them.

The checks are written here from the platforms' documentation, independently of
``reports.channels.bots``:

- DingTalk (钉钉自定义机器人, 加签): ``timestamp`` in ms within an hour of now, and
  ``sign`` = urlEncode(Base64(HmacSHA256(key=secret, msg=timestamp + "\\n" + secret)))
  in the query; a mismatch answers HTTP 200 ``{"errcode": 310000, ...}``.
- WeCom (企业微信群机器人): the ``key`` in the query; ``markdown.content`` at most
  4096 bytes; a bad key answers ``{"errcode": 93000, ...}``.
- Feishu (飞书自定义机器人, 签名校验): ``timestamp`` in s and ``sign`` =
  Base64(HmacSHA256(key=timestamp + "\\n" + secret, msg="")) in the body; a mismatch
  answers ``{"code": 19021, ...}``.
- Generic webhook: ``X-Hotwatch-Signature`` = sha256=hex HMAC over "timestamp.body";
  a mismatch answers HTTP 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DINGTALK_TOKEN = "ding-token"
WECOM_KEY = "wecom-key-0000"
FEISHU_HOOK = "feishu-hook-id"


@dataclass
class Robots:
    """What the robots accepted and refused; ``url(kind)`` is each robot's webhook URL."""

    base: str
    secrets: dict[str, str]
    accepted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)  # answer HTTP 503
    # Per robot: "500" answers HTTP 500, "hang" answers nothing for ``hang_seconds``
    # (a gateway that holds the request; the robot never takes the message).
    failing: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 3.0

    def url(self, kind: str) -> str:
        return {
            "dingtalk": f"{self.base}/robot/send?access_token={DINGTALK_TOKEN}",
            "wecom": f"{self.base}/cgi-bin/webhook/send?key={WECOM_KEY}",
            "feishu": f"{self.base}/open-apis/bot/v2/hook/{FEISHU_HOOK}",
            "webhook": f"{self.base}/hook",
        }[kind]


def _hmac_b64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    robots: Robots

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/robot/send":
            self._check("dingtalk", body, lambda data: self._dingtalk(query, data))
        elif parts.path == "/cgi-bin/webhook/send":
            self._check("wecom", body, lambda data: self._wecom(query, data))
        elif parts.path == f"/open-apis/bot/v2/hook/{FEISHU_HOOK}":
            self._check("feishu", body, self._feishu)
        elif parts.path == "/hook":
            self._webhook(body)
        else:
            self._answer(404, {})

    def _check(self, kind: str, body: bytes, verify: Any) -> None:
        if kind in self.robots.down:
            self._answer(503, {})
            return
        failing = self.robots.failing.get(kind)
        if failing == "hang":
            time.sleep(self.robots.hang_seconds)
            self.close_connection = True
            return
        if failing == "500":
            self._answer(500, {"error": "internal error"})
            return
        data = json.loads(body.decode("utf-8"))
        problem = verify(data)
        if problem:
            code, message = problem
            self.robots.refused.setdefault(kind, []).append(message)
            key = "code" if kind == "feishu" else "errcode"
            self._answer(200, {key: code, "errmsg" if key == "errcode" else "msg": message})
            return
        self.robots.accepted.setdefault(kind, []).append(data)
        ok = {"code": 0, "msg": "success", "data": {}} if kind == "feishu" else {
            "errcode": 0, "errmsg": "ok"}
        self._answer(200, ok)

    def _dingtalk(self, query: dict[str, list[str]], data: dict) -> tuple[int, str] | None:
        if query.get("access_token") != [DINGTALK_TOKEN]:
            return 300001, "token is not exist"
        secret = self.robots.secrets["dingtalk"]
        timestamp = query.get("timestamp", [""])[0]
        sign = query.get("sign", [""])[0]  # parse_qs has undone the urlEncode
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
            return 310000, "invalid timestamp"
        expected = _hmac_b64(secret.encode(), f"{timestamp}\n{secret}".encode())
        if not hmac.compare_digest(sign, expected):
            return 310000, "sign not match"
        if data.get("msgtype") != "markdown" or not data["markdown"].get("title"):
            return 40035, "missing markdown title"
        return None

    def _wecom(self, query: dict[str, list[str]], data: dict) -> tuple[int, str] | None:
        if query.get("key") != [WECOM_KEY]:
            return 93000, "invalid webhook url"
        if data.get("msgtype") != "markdown":
            return 40008, "invalid message type"
        if len(data["markdown"]["content"].encode("utf-8")) > 4096:
            return 40058, "markdown.content exceed max length 4096"
        return None

    def _feishu(self, data: dict) -> tuple[int, str] | None:
        secret = self.robots.secrets["feishu"]
        timestamp = str(data.get("timestamp", ""))
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
            return 19021, "sign match fail or timestamp is not within one hour from current time"
        expected = _hmac_b64(f"{timestamp}\n{secret}".encode(), b"")
        if not hmac.compare_digest(str(data.get("sign", "")), expected):
            return 19021, "sign match fail or timestamp is not within one hour from current time"
        if data.get("msg_type") != "interactive" or "card" not in data:
            return 9499, "bad request"
        return None

    def _webhook(self, body: bytes) -> None:
        if "webhook" in self.robots.down:
            self._answer(503, {})
            return
        secret = self.robots.secrets.get("webhook")
        if secret:
            timestamp = self.headers.get("X-Hotwatch-Timestamp", "")
            expected = "sha256=" + hmac.new(
                secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            if not hmac.compare_digest(self.headers.get("X-Hotwatch-Signature", ""), expected):
                self.robots.refused.setdefault("webhook", []).append("bad signature")
                self._answer(401, {"error": "bad signature"})
                return
        self.robots.accepted.setdefault("webhook", []).append(json.loads(body))
        self._answer(204, None)

    def _answer(self, status: int, data: Any) -> None:
        payload = b"" if data is None else json.dumps(data).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def robot_server(secrets: dict[str, str], *, port: int = 0) -> Iterator[Robots]:
    """All four receivers on one loopback port (``0``: an ephemeral one)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    robots = Robots(f"http://127.0.0.1:{server.server_address[1]}", secrets)
    server.RequestHandlerClass = type("Handler", (_Handler,), {"robots": robots})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robots
    finally:
        server.shutdown()
        server.server_close()
