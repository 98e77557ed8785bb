"""Crawl health: real crawls of a loopback site that yields, goes quiet, or blocks.

Each crawl is the real CLI in a child process (the Twisted reactor runs once per
process); the site runs in this process and switches between its modes between
crawls. Notices go to a loopback Feishu robot that checks the signature.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from tests.robot_server import robot_server

ARTICLE = ("<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
           "<div class='info'>2021-05-06 09:00 来源：测试日报</div><div class='content'>"
           "<p>{body}</p><p>{body}</p><p>记者了解到，相关部门已介入调查。</p></div></body></html>")
TITLES = ["新乡12345热线接线员骂人 市民投诉", "洛阳市民反映12345热线打不通 无人接听"]


class Site:
    """``/a/`` lists two articles (mode ``yield``) or none (``empty``); ``/b/`` answers 403."""

    def __init__(self) -> None:
        self.mode = "yield"
        handler = type("Handler", (_Handler,), {"site": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/b/"):
            self._send(403, "<html><body>访问被拒绝</body></html>")
        elif self.path == "/a/index.html":
            links = "" if self.site.mode == "empty" else "".join(
                f"<li><a href='/a/{n}.html'>{title}</a></li>" for n, title in enumerate(TITLES)
            )
            self._send(200, f"<html><body><ul>{links}</ul></body></html>")
        elif self.path in ("/a/0.html", "/a/1.html"):
            title = TITLES[int(self.path[3])]
            self._send(200, ARTICLE.format(title=title, body=title + "，多名市民反映问题。"))
        else:
            self._send(404, "not found")

    def _send(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    thread = threading.Thread(target=served.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.httpd.shutdown()
        served.httpd.server_close()


def config_text(site: Site, robot_url: str) -> str:
    return f"""
[crawl]
revisit_hours = 0
download_timeout = 3
autothrottle = false
retry_times = 0
analysis_workers = 0

[[sources]]
name = "site-a"
type = "site"
start_urls = ["{site.url}/a/index.html"]
link_patterns = ["/a/\\\\d+\\\\.html"]

[[sources]]
name = "site-b"
type = "site"
start_urls = ["{site.url}/b/index.html"]

[alerts]
source_silent_runs = 2

[[alerts.channels]]
type = "feishu"
url = "{robot_url}"
secret_env = "FEISHU_SECRET"
"""


def hotwatch(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hotwatch", "--config", str(tmp / "hotwatch.toml"),
               "--data-dir", str(tmp / "data"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                               "FEISHU_SECRET": "s3cret"})


def status(tmp: Path) -> dict[str, dict]:
    result = CliRunner().invoke(
        cli, ["--config", str(tmp / "hotwatch.toml"), "--data-dir", str(tmp / "data"),
              "sources", "status", "--json"], env={"FEISHU_SECRET": "s3cret"},
    )
    assert result.exit_code == 0, result.output
    return {s["source"]: s for s in json.loads(result.stdout)["sources"]}


def test_a_source_that_stops_yielding_or_is_blocked_shows_and_alerts_once(site, tmp_path):
    with robot_server({"feishu": "s3cret"}) as robots:
        (tmp_path / "hotwatch.toml").write_text(config_text(site, robots.url("feishu")),
                                                encoding="utf-8")
        first = hotwatch(tmp_path, "crawl")
        assert first.returncode == 0, first.stderr
        after_one = status(tmp_path)
        assert after_one["site-a"]["status"] == "ok"
        assert after_one["site-a"]["runs"][0]["fetched"] == 2
        assert after_one["site-b"]["status"] == "blocked"
        assert after_one["site-b"]["runs"][0]["blocked"] >= 1

        site.mode = "empty"
        for _ in range(2):
            result = hotwatch(tmp_path, "crawl")
            assert result.returncode == 0, result.stderr
        quiet = status(tmp_path)
        assert quiet["site-a"]["status"] == "silent" and quiet["site-a"]["silent_for"] == 2
        assert [r["fetched"] for r in quiet["site-a"]["runs"]] == [0, 0, 2]

        # The crawls alerted already (after each crawl); a later `hotwatch alerts` adds nothing.
        titles = sorted(t for t in (b["card"]["header"]["title"]["content"]
                                    for b in robots.accepted.get("feishu", []))
                        if t.startswith("【采集异常】"))
        assert titles == ["【采集异常】site-a：停止产出", "【采集异常】site-b：被屏蔽"]
        assert robots.refused == {}
        posted = len(robots.accepted["feishu"])
        again = CliRunner().invoke(
            cli, ["--config", str(tmp_path / "hotwatch.toml"), "--data-dir",
                  str(tmp_path / "data"), "alerts"], env={"FEISHU_SECRET": "s3cret"},
        )
        assert again.exit_code == 0, again.output
        assert len(robots.accepted["feishu"]) == posted

        table = CliRunner().invoke(
            cli, ["--config", str(tmp_path / "hotwatch.toml"), "--data-dir",
                  str(tmp_path / "data"), "sources", "status"],
        )
    assert "2 source(s) need attention: site-a (silent), site-b (blocked)" in table.output
    silent_card = next(b for b in robots.accepted["feishu"]
                       if "site-a" in b["card"]["header"]["title"]["content"])
    assert "连续 2 次采集未获得任何文章" in silent_card["card"]["elements"][0]["text"]["content"]


def test_the_web_page_shows_each_sources_last_runs(tmp_path):
    from datetime import UTC, datetime, timedelta

    from hotwatch.config import load_config
    from hotwatch.web import create_app
    from reports.health import SourceRun, record_run

    state = tmp_path / "data" / "reports"
    start = datetime(2021, 4, 25, 2, 0, tzinfo=UTC)
    for n, fetched in enumerate([5, 4, 0, 0, 0]):
        record_run(state, [
            SourceRun("chinanews-society", "rss", start + timedelta(hours=n), fetched=fetched,
                      new=fetched, relevant=min(fetched, 1)),
            SourceRun("people-society", "site", start + timedelta(hours=n), fetched=3,
                      blocked=1 if n == 4 else 0,
                      messages=("people-society: HTTP 403 blocked",) if n == 4 else ()),
        ])
    app = create_app(load_config(None, data_dir=tmp_path / "data", environ={}))
    html = app.test_client().get("/").get_data(as_text=True)
    panel = html[html.index('id="crawl-health"'):]
    panel = panel[:panel.index("</section>")]
    assert '<tr class="health-silent">' in panel and "停止产出" in panel
    assert "连续 3 次采集未获得任何文章（此前有产出）" in panel
    assert '<tr class="health-blocked">' in panel and "被屏蔽" in panel
    assert '<td class="runs">0 · 0 · 0 · 4 · 5</td>' in panel
    assert panel.count('<tr class="health-unknown">') == 3  # configured, never run


def test_alerts_reports_the_health_notices_it_sent(tmp_path):
    from datetime import UTC, datetime, timedelta

    from reports.health import SourceRun, record_run

    start = datetime(2021, 4, 25, 2, 0, tzinfo=UTC)
    record_run(tmp_path / "data" / "reports", [
        SourceRun("site-a", "site", start + timedelta(hours=n), fetched=f)
        for n, f in enumerate([3, 0, 0])
    ])
    with robot_server({"feishu": "s3cret"}) as robots:
        config = tmp_path / "hotwatch.toml"
        config.write_text(
            "[alerts]\nsource_silent_runs = 2\n[[alerts.channels]]\ntype = \"feishu\"\n"
            f"url = \"{robots.url('feishu')}\"\nsecret_env = \"FEISHU_SECRET\"\n",
            encoding="utf-8",
        )
        args = ["--config", str(config), "--data-dir", str(tmp_path / "data"), "alerts", "--json"]
        first = CliRunner().invoke(cli, args, env={"FEISHU_SECRET": "s3cret"})
        second = CliRunner().invoke(cli, args, env={"FEISHU_SECRET": "s3cret"})
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["source_health"] == [
        {"source": "site-a", "problem": "silent", "channel": "feishu", "status": "sent",
         "error": None},
    ]
    assert json.loads(second.stdout)["source_health"] == []
    [card] = robots.accepted["feishu"]
    assert card["card"]["header"]["title"]["content"] == "【采集异常】site-a：停止产出"
