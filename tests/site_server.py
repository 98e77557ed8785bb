"""A loopback news site with failure endpoints, run as a subprocess (like Scrapy's mockserver).

``python -m tests.site_server`` binds 127.0.0.1:0, prints its base URL on the first
line and serves until killed: the bundled sample site plus, linked from
``/failures/index.html``: redirects (``/go/<slug>``), one article under two URLs
with one canonical URL, ``/status/<code>...``, a slow page (``/slow...``), an
oversized page, PDFs, GBK pages declared only in the HTTP header or only in
``<meta>``, and broken HTML. ``/_requests`` lists every path requested so far.
The ``site_url`` fixture starts it once per test session."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.quiet_handler import QuietHandler
from tests.subprocess_server import serve_and_announce, server_url

ROOT = Path(__file__).resolve().parents[1]
SLOW_SECONDS = 10
REQUEST_LOG = "/_requests"  # JSON list of every path requested so far
BIG_BYTES = 400_000

ARTICLE = """<html><head><meta charset="{charset}"><title>{title}_测试站</title>{head}</head>
<body><div class="nav"><a href="/">首页</a></div><h1>{title}</h1>
<div class="info">2021-05-06 09:00 来源：测试日报 作者：测试员</div>
<div class="content"><p>{body}</p><p>{body}</p><p>记者了解到，相关部门已介入调查，将依法依规处理。</p></div>
<div class="footer">版权所有 测试站</div></body></html>"""
GBK_HEADER_TITLE = "郑州12345热线接线员态度恶劣 市民投诉反被挂断"
GBK_META_TITLE = "洛阳市民反映12345热线打不通 多次拨打无人接听"
DUPLICATE_TITLE = "开封一市民投诉被12345热线推诿 问题拖了半年"
MALFORMED_TITLE = "许昌12345热线被指虚假办结 市民称问题仍未解决"
MOVED_TITLE = "周口市民反映12345热线推诿扯皮 工单转办三次无人处理"
MOVED_PATH = "/failures/2021/05/08/zhoukou-moved.html"


def minimal_pdf() -> bytes:
    """A real one-page PDF (catalog, pages, page, content stream, xref, trailer)."""
    stream = b"BT /F1 12 Tf 72 720 Td (hotwatch report) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


def failure_pages() -> dict[str, tuple[int, bytes, str, dict[str, str]]]:
    """Path -> (status, body, content type, extra headers); ``/failures/index.html`` links all."""
    body = "近日，市民向记者反映，拨打12345市长热线时遇到问题，接线员态度恶劣，互相推诿，问题至今没有解决。"
    duplicate = ARTICLE.format(
        charset="utf-8",
        title=DUPLICATE_TITLE,
        head='<link rel="canonical" href="/failures/2021/05/06/kaifeng-bounced.html">',
        body=body,
    ).encode("utf-8")
    pages = {
        "/failures/2021/05/06/gbk-header.html": (
            200,
            ARTICLE.replace('<meta charset="{charset}">', "")
            .format(charset="", title=GBK_HEADER_TITLE, head="", body=body)
            .encode("gbk"),
            "text/html; charset=gbk",
            {},
        ),
        "/failures/2021/05/06/gbk-meta.html": (
            200,
            ARTICLE.format(charset="gb2312", title=GBK_META_TITLE, head="", body=body).encode(
                "gbk"
            ),
            "text/html",
            {},
        ),
        "/failures/2021/05/06/kaifeng-bounced.html": (
            200,
            duplicate,
            "text/html; charset=utf-8",
            {},
        ),
        "/mobile/2021/05/06/kaifeng-bounced.html": (200, duplicate, "text/html; charset=utf-8", {}),
        "/failures/broken-20210507.html": (
            200,
            f"<html><head><title>{MALFORMED_TITLE}</title><body><div class='content'><p>{body}"
            f"<p>{body}</div></span></td><table><tr><td>未闭合<div><b>粗体<i>斜体</b>".encode(),
            "text/html; charset=utf-8",
            {},
        ),
        "/failures/big-20210508.html": (
            200,
            ARTICLE.format(
                charset="utf-8", title="超大页面的文章标题测试", head="", body=body * 3000
            ).encode(),
            "text/html; charset=utf-8",
            {},
        ),
        # Link extractors drop *.pdf links by extension; this one is only known by its type.
        "/files/download-20210509": (200, minimal_pdf(), "application/pdf", {}),
        "/files/report.pdf": (200, minimal_pdf(), "application/pdf", {}),
        MOVED_PATH: (
            200,
            ARTICLE.format(charset="utf-8", title=MOVED_TITLE, head="", body=body).encode(),
            "text/html; charset=utf-8",
            {},
        ),
    }
    links = [
        ("/failures/2021/05/06/gbk-header.html", GBK_HEADER_TITLE),
        ("/failures/2021/05/06/gbk-meta.html", GBK_META_TITLE),
        ("/failures/2021/05/06/kaifeng-bounced.html", DUPLICATE_TITLE),
        ("/mobile/2021/05/06/kaifeng-bounced.html?from=app", DUPLICATE_TITLE + "（手机版）"),
        ("/failures/broken-20210507.html", MALFORMED_TITLE),
        ("/failures/big-20210508.html", "超大页面的文章标题测试"),
        ("/files/download-20210509", "热线工作年度报告全文下载"),
        ("/files/report.pdf", "热线工作年度报告（PDF版）"),
        ("/go/moved-20210508", "周口热线推诿事件报道跳转"),
        ("/go/xinxiang-12345-operator-insult", "新乡热线事件原始报道跳转"),
        ("/status/404-20210510.html", "已经删除的热线新闻页面"),
        ("/status/500-20210511.html", "服务器出错的热线新闻页面"),
        ("/slow/20210512.html", "响应很慢的热线新闻页面"),
    ]
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    listing = f"<html><head><meta charset='utf-8'><title>失败页面</title></head><body><ul>{items}</ul></body></html>"
    pages["/failures/index.html"] = (200, listing.encode(), "text/html; charset=utf-8", {})
    return pages


def redirects(site_pages: dict[str, tuple[bytes, str]]) -> dict[str, str]:
    """``/go/<slug>`` -> the sample article with that slug, and one article known only so."""
    targets = {"/go/moved-20210508": MOVED_PATH}
    for path in site_pages:
        if path.startswith("/news/20"):
            targets["/go/" + path.rsplit("/", 1)[1].removesuffix(".html")] = path
    return targets


def status_page(path: str) -> tuple[int, bytes, str, dict[str, str]] | None:
    """``/status/<code>[anything]`` answers with that HTTP status."""
    code = path.removeprefix("/status/")[:3]
    if not (path.startswith("/status/") and code.isdigit() and 200 <= int(code) <= 599):
        return None
    return int(code), f"status {code}".encode(), "text/plain; charset=utf-8", {}


def make_handler(site_pages: dict[str, tuple[bytes, str]]) -> type[BaseHTTPRequestHandler]:
    extra = failure_pages()
    moved = redirects(site_pages)
    requested: list[str] = []

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            path = urlsplit(self.path).path
            if path == REQUEST_LOG:
                self.reply(200, json.dumps(requested).encode(), "application/json", {})
                return
            requested.append(self.path)
            if path.startswith("/slow"):
                time.sleep(SLOW_SECONDS)
            self.reply(*self.page(path))

        def page(self, path: str) -> tuple[int, bytes, str, dict[str, str]]:
            if path in extra:
                return extra[path]
            if path in site_pages:
                body, content_type = site_pages[path]
                return 200, body, content_type, {}
            if path in moved:
                return 301, b"", "text/html", {"Location": moved[path]}
            return status_page(path) or (404, b"not found", "text/plain", {})

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        return  # clients that time out and hang up are part of the test, not news


def main() -> None:
    from hotwatch.demo.site import sample_site

    httpd = QuietServer(("127.0.0.1", 0), make_handler(sample_site().pages))
    serve_and_announce(httpd)


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """Base URL of the fixture site, served by a subprocess for the whole session."""
    yield from server_url(__name__, "the fixture site")


if __name__ == "__main__":
    main()
