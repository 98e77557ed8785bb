"""A loopback site of hostile pages and servers, run as a subprocess (``python -m``).

Three listeners in one process, so that each has its own robots.txt: the main one
(robots.txt allows all) serves ``/index.html`` linking every case below; the second
answers robots.txt with HTTP 500, the third lets robots.txt time out. The first line
printed is the main base URL, the second and third the other two.

Cases: articles mis-declared every way (GBK, Big5, UTF-8, GB18030 with a BOM, a GBK
page with a UTF-8 fragment), deep and broken markup, binaries served as text/html,
gzip/deflate/brotli bombs (``HOSTILE_BOMB_MB``, default 64, of decompressed zeros),
a 2 GB Content-Length, a slow drip, redirect loops, long and off-site redirect
chains, and a 429 with Retry-After. ``/_requests`` lists (time, path) of every request.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import brotli
import pytest

from tests.quiet_handler import QuietHandler
from tests.site_server import QuietServer, minimal_pdf
from tests.subprocess_server import server_urls

BODY = "近日，市民向记者反映，拨打12345市长热线时遇到问题，接线员态度恶劣，互相推诿，问题至今没有解决。"
TRAD_BODY = "近日，市民向記者反映，撥打市民熱線時遇到問題，接線員說不歸他們管，你就說解決了，問題至今沒有解決。"
RETRY_AFTER = 2
SLOW_SECONDS = 30
PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset={meta}">
<title>{title}</title></head><body><div class="nav"><a href="/">首页</a></div><h1>{title}</h1>
<div class="info">2021-05-06 09:00 来源：测试日报</div><div class="content">
<p>{body}</p><p>{body}</p><p>{extra}</p></div></body></html>"""

#: path -> (title, text encoding, declared header charset, declared meta charset)
MISDECLARED = {
    "/news/2021/gbk-as-utf8.html": (
        "郑州12345热线接线员态度恶劣 市民投诉反被挂断",
        "gbk",
        "utf-8",
        "utf-8",
    ),
    "/news/2021/utf8-as-gbk.html": (
        "洛阳12345热线打不通 市民多次拨打无人接听",
        "utf-8",
        "gbk",
        "gbk",
    ),
    "/news/2021/gb18030-undeclared.html": (
        "开封12345热线工单被虚假办结 问题仍未解决",
        "gb18030",
        "",
        "",
    ),
    "/news/2021/big5-as-utf8.html": (
        "台北市民熱線推諉扯皮 接線員稱不歸他們管",
        "big5",
        "utf-8",
        "utf-8",
    ),
    "/news/2021/big5-as-gbk.html": (
        "高雄市民熱線打不通 多次撥打無人接聽問題",
        "big5",
        "gbk",
        "gbk",
    ),
    "/news/2021/gbk-as-big5.html": (
        "许昌12345热线泄露举报人信息 市民遭报复",
        "gbk",
        "big5",
        "big5",
    ),
    "/news/2021/bom-utf8-as-gbk.html": (
        "周口12345热线接线员辱骂市民 当事人已被停职",
        "utf-8-sig",
        "gbk",
        "gbk",
    ),
}
MIXED_TITLE = "新乡12345热线推诿扯皮 市民反映问题三个月无人处理"
UTF8_FRAGMENT = "网友评论：这种推诿现象必须整改"
DEEP_TITLE = "安阳12345热线接线员态度恶劣 市民反映被多次挂断"
BROKEN_TITLE = "南阳12345热线无人接听 市民反映半夜噪音扰民"
LONG_LINE_TITLE = "信阳12345热线虚假办结 市民称问题没有解决"


def article(title: str, *, meta: str = "utf-8", extra: str = "", traditional: bool = False) -> str:
    body = TRAD_BODY if traditional else BODY
    html = PAGE.format(title=title, meta=meta, body=body, extra=extra or body)
    return html.replace("首页", "首頁").replace("来源：测试日报", "來源：測試日報") if traditional else html


def misdeclared_pages() -> dict[str, tuple[bytes, str]]:
    pages = {}
    for path, (title, encoding, header, meta) in MISDECLARED.items():
        traditional = encoding == "big5"
        html = article(title, meta=meta or "", traditional=traditional)
        if not meta:
            html = html.replace(
                '<meta http-equiv="Content-Type" content="text/html; charset=">', ""
            )
        pages[path] = (
            html.encode(encoding),
            f"text/html; charset={header}" if header else "text/html",
        )
    mixed = article(MIXED_TITLE, meta="gbk").split("<p>")
    body = (
        "<p>".join(mixed[:2]).encode("gbk")
        + f"<p>{UTF8_FRAGMENT}</p>".encode()
        + ("<p>" + "<p>".join(mixed[2:])).encode("gbk")
    )
    pages["/news/2021/gbk-with-utf8-fragment.html"] = (body, "text/html; charset=gbk")
    return pages


def broken_pages() -> dict[str, tuple[bytes, str]]:
    html = "text/html; charset=utf-8"
    deep = article(DEEP_TITLE).replace(
        '<div class="content">', '<div class="content">' + "<div>" * 50_000
    )
    broken = (
        f"<html><head><title>{BROKEN_TITLE}</title><body><h1>{BROKEN_TITLE}</h1><div class=content>"
        f"<p>{BODY}\x00<p>{BODY}<table><tr><td><font><b>{BODY}<i></div></span></body>"
    )
    long_line = (
        article(LONG_LINE_TITLE)
        .replace("\n", " ")
        .replace("</body>", "<div style='display:none'>" + "填充" * 800_000 + "</div></body>")
    )
    return {
        "/news/2021/deep-50000.html": (deep.encode(), html),
        "/news/2021/broken-nul.html": (broken.encode(), html),
        "/news/2021/long-line.html": (long_line.encode(), html),
    }


def binary_pages() -> dict[str, tuple[bytes, str]]:
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(range(256)) * 4
    zip_file = b"PK\x03\x04" + bytes(range(256)) * 4
    return {
        "/news/2021/pdf-as-html.html": (minimal_pdf(), "text/html; charset=utf-8"),
        "/news/2021/png-as-html.html": (png, "text/html"),
        "/news/2021/zip-as-html.html": (zip_file, "text/html; charset=utf-8"),
    }


@cache
def bomb(encoding: str) -> bytes:
    """``HOSTILE_BOMB_MB`` of zeros compressed, built in chunks (never held decompressed)."""
    megabytes = int(os.environ.get("HOSTILE_BOMB_MB", "64"))
    chunk = b"\0" * (1 << 20)
    if encoding == "br":
        compressor = brotli.Compressor(quality=5)
        parts = [compressor.process(chunk) for _ in range(megabytes)]
        return b"".join(parts) + compressor.finish()
    wbits = 31 if encoding == "gzip" else 15
    deflater = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(deflater.compress(chunk) for _ in range(megabytes)) + deflater.flush()


BOMBS = {"/news/2021/bomb-gzip.html": "gzip", "/news/2021/bomb-deflate.html": "deflate",
         "/news/2021/bomb-br.html": "br"}  # fmt: skip
REDIRECTS = {
    "/news/2021/loop-a.html": "/news/2021/loop-b.html",
    "/news/2021/loop-b.html": "/news/2021/loop-a.html",
    **{f"/news/2021/chain-{n}.html": f"/news/2021/chain-{n + 1}.html" for n in range(1, 9)},
}
SPECIAL = (
    "/news/2021/huge-length.html",
    "/news/2021/slow-drip.html",
    "/news/2021/away.html",
    "/news/2021/limited-429.html",
)


A1_TITLE = "襄阳一市民拨打12345反映噪音扰民 接线员不耐烦称别再打了随后挂断了电话"
#: One article under its own URL, a tracking variant and another path serving the same text.
A1_PATHS = ("/news/a1.html", "/news/a1.html?from=list2", "/news/2021/a1-copy.html")


def all_article_paths() -> list[str]:
    return [
        *A1_PATHS,
        *misdeclared_pages(),
        *broken_pages(),
        *binary_pages(),
        *BOMBS,
        "/news/2021/loop-a.html",
        "/news/2021/chain-1.html",
        *SPECIAL,
    ]


def index_page() -> bytes:
    items = "".join(
        f'<li><a href="{path}">热线新闻报道 {n:02d} 号测试页面</a></li>'
        for n, path in enumerate(all_article_paths())
    )
    return f"<html><head><meta charset='utf-8'><title>目录</title></head><body><ul>{items}</ul></body></html>".encode()


def make_handler(robots: str, other_base: list[str]) -> type[BaseHTTPRequestHandler]:
    pages = {**misdeclared_pages(), **broken_pages(), **binary_pages()}
    a1 = (article(A1_TITLE).encode(), "text/html; charset=utf-8")
    pages["/news/a1.html"] = pages["/news/2021/a1-copy.html"] = a1
    pages["/index.html"] = (index_page(), "text/html; charset=utf-8")
    requested: list[tuple[float, str]] = []
    limited: set[str] = set()
    lock = threading.Lock()

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            path = urlsplit(self.path).path
            if path == "/_requests":
                self.reply(200, json.dumps(requested).encode(), "application/json")
                return
            with lock:
                requested.append((time.time(), self.path))
            if path == "/robots.txt":
                self.robots()
            elif path in pages:
                self.reply(200, *pages[path])
            elif path in BOMBS:
                body = bomb(BOMBS[path])
                self.reply(200, body, "text/html; charset=utf-8", {"Content-Encoding": BOMBS[path]})
            elif path in REDIRECTS:
                self.reply(301, b"", "text/html", {"Location": REDIRECTS[path]})
            elif path == "/news/2021/away.html":
                self.reply(302, b"", "text/html", {"Location": other_base[0] + "/index.html"})
            elif path == "/news/2021/huge-length.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(2 * 1024**3))
                self.end_headers()
                self.wfile.write(b"<html>" * 1000)
            elif path == "/news/2021/slow-drip.html":
                self.drip()
            elif path == "/news/2021/limited-429.html" and path not in limited:
                limited.add(path)
                self.reply(429, b"slow down", "text/plain", {"Retry-After": str(RETRY_AFTER)})
            elif path == "/news/2021/limited-429.html":
                self.reply(
                    200, article("平顶山12345热线被指推诿 市民限流后终于看到").encode(), "text/html"
                )
            else:
                self.reply(404, b"not found", "text/plain")

        def robots(self) -> None:
            if robots == "500":
                self.reply(500, b"server error", "text/plain")
            elif robots == "timeout":
                time.sleep(SLOW_SECONDS)
                self.reply(200, b"User-agent: *\nAllow: /\n", "text/plain")
            else:
                self.reply(200, b"User-agent: *\nAllow: /\n", "text/plain")

        def drip(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(SLOW_SECONDS):
                self.wfile.write(b"<p>")
                self.wfile.flush()
                time.sleep(1)

    return Handler


def main() -> None:
    for encoding in set(BOMBS.values()):
        bomb(encoding)  # built before the URL is announced, so no request waits on it
    others: list[str] = []
    servers = [
        QuietServer(("127.0.0.1", 0), make_handler(mode, others))
        for mode in ("ok", "500", "timeout")
    ]
    # The off-site target: the same listener under another host name.
    others.append(f"http://localhost:{servers[0].server_address[1]}")
    for server in servers:
        server.daemon_threads = True
        host, port = server.server_address[:2]
        print(f"http://{host}:{port}", flush=True)
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


@pytest.fixture(scope="session")
def hostile_urls() -> Iterator[list[str]]:
    """Base URLs of the hostile site: main, robots.txt 500, robots.txt timing out."""
    yield from server_urls(__name__, "the hostile site", lines=3)


if __name__ == "__main__":
    main()
