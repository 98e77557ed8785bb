"""A loopback news site with failure endpoints, run as a subprocess (like Scrapy's mockserver).

``python tests/site_server.py`` binds 127.0.0.1:0, prints its base URL on the first
line and serves until killed: the bundled sample site plus redirects, duplicate
URLs, 404/500, a slow page, an oversized page, a PDF, GBK pages declared only in
the HTTP header or only in ``<meta>``, and broken HTML.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLOW_SECONDS = 10
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


def failure_pages() -> dict[str, tuple[int, bytes, str, dict[str, str]]]:
    """Path -> (status, body, content type, extra headers)."""
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
            ARTICLE.format(charset="gb2312", title=GBK_META_TITLE, head="", body=body).encode("gbk"),
            "text/html",
            {},
        ),
        "/failures/2021/05/06/kaifeng-bounced.html": (200, duplicate, "text/html; charset=utf-8", {}),
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
            ARTICLE.format(charset="utf-8", title="超大页面的文章标题测试", head="", body=body * 3000).encode(),
            "text/html; charset=utf-8",
            {},
        ),
        "/files/download-20210509": (
            200,
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
            "application/pdf",
            {},
        ),
        "/go/xinxiang-20210425": (
            301,
            b"",
            "text/html",
            {"Location": "/news/2021/04/25/xinxiang-12345-operator-insult.html"},
        ),
        "/status/404-20210510.html": (404, b"not found", "text/html", {}),
        "/status/500-20210511.html": (500, b"server error", "text/html", {}),
    }
    links = [
        ("/failures/2021/05/06/gbk-header.html", GBK_HEADER_TITLE),
        ("/failures/2021/05/06/gbk-meta.html", GBK_META_TITLE),
        ("/failures/2021/05/06/kaifeng-bounced.html", DUPLICATE_TITLE),
        ("/mobile/2021/05/06/kaifeng-bounced.html?from=app", DUPLICATE_TITLE + "（手机版）"),
        ("/failures/broken-20210507.html", MALFORMED_TITLE),
        ("/failures/big-20210508.html", "超大页面的文章标题测试"),
        ("/files/download-20210509", "热线工作年度报告全文下载"),
        ("/go/xinxiang-20210425", "新乡热线事件原始报道跳转"),
        ("/status/404-20210510.html", "已经删除的热线新闻页面"),
        ("/status/500-20210511.html", "服务器出错的热线新闻页面"),
        ("/slow/20210512.html", "响应很慢的热线新闻页面"),
    ]
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    listing = f"<html><head><meta charset='utf-8'><title>失败页面</title></head><body><ul>{items}</ul></body></html>"
    pages["/failures/index.html"] = (200, listing.encode(), "text/html; charset=utf-8", {})
    return pages


def make_handler(site_pages: dict[str, tuple[bytes, str]]) -> type[BaseHTTPRequestHandler]:
    extra = failure_pages()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            path = urlsplit(self.path).path
            if path.startswith("/slow/"):
                time.sleep(SLOW_SECONDS)
            if path in extra:
                status, body, content_type, headers = extra[path]
            elif path in site_pages:
                body, content_type = site_pages[path]
                status, headers = 200, {}
            else:
                status, body, content_type, headers = 404, b"not found", "text/plain", {}
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        return  # clients that time out and hang up are part of the test, not news


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from hotwatch.demo.site import sample_site

    httpd = QuietServer(("127.0.0.1", 0), make_handler(sample_site().pages))
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    httpd.serve_forever()


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """Base URL of the fixture site, served by a subprocess for the whole session."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve())], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    main()
