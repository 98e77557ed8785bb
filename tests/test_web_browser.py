"""``hotwatch serve`` end to end in real headless Chromium, driven by Playwright.

The real server runs on 127.0.0.1 (port 0) in a thread. The tests search, apply a
filter, open an incident, export CSV, look at the page on a phone-sized screen,
and load hostile content: no dialog may fire, no request may leave 127.0.0.1, and
the Content-Security-Policy must never have to block anything of ours.
Screenshots go to test-artifacts/.

Uses Debian's /usr/bin/chromium (never ``playwright install``). Skips without it or
without the playwright package, except under CI=true where that is a failure.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.serving import make_server

from hotwatch.config import load_config
from hotwatch.web import create_app
from index import IncidentRecord, StoredDocument, open_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DAY = datetime(2021, 4, 25, 2, 0, tzinfo=UTC)
XINXIANG = {"province": "河南省", "city": "新乡市"}
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api() -> Any:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install -y chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    return sync_playwright


def _doc(n: int, title: str, text: str, when: datetime, **fields: Any) -> StoredDocument:
    values: dict[str, Any] = dict(
        url=f"https://news.test/{n}.html", title=title, text=text, fetched_at=when,
        published_at=when, source="fixture", outlet="新乡日报", domain="news.test", tier=3,
        relevant=True, hotlines=["12345"], regions=[XINXIANG], categories=["rudeness"],
    )
    values.update(fields)
    return StoredDocument(**values)


def _fill(data_dir: Path) -> list[StoredDocument]:
    docs = [
        _doc(1, "新乡12345热线接线员骂人", "市民拨打12345热线反映问题，接线员忘记挂电话骂人不要脸。",
             DAY - timedelta(days=1), negativity=0.9, incident_id="inc-xinxiang"),
        _doc(2, "新乡市通报12345接线员辱骂市民：涉事人员停职",
             "新乡市12345热线管理办公室发布通报，涉事接线员已停职，向市民致歉。", DAY,
             url="https://henan.test/2.html", outlet="河南日报", tier=2, negativity=0.7,
             incident_id="inc-xinxiang"),
        _doc(3, "多家媒体关注新乡12345热线骂人事件", "12345热线接线员骂人一事引发关注。",
             DAY + timedelta(hours=2), url="https://portal.test/3.html", outlet="某门户",
             negativity=0.8, incident_id="inc-xinxiang"),
        _doc(4, "广州市长热线打不通", "市民反映12345热线打不通。", DAY,
             regions=[{"province": "广东省", "city": "广州市"}], categories=["unreachable"],
             outlet="广州日报", negativity=0.35),
        _doc(5, f"{SCRIPT}12345热线{BREAKOUT}", f"正文{SCRIPT}拨打12345热线{BREAKOUT}结束",
             DAY + timedelta(hours=1), url="https://evil.test/x.html", outlet=f"{BREAKOUT}",
             negativity=0.95, incident_id="inc-xss", author=SCRIPT),
    ]
    for n in range(12):
        docs.append(_doc(100 + n, f"新乡12345热线回访第{n}期", "12345热线回访。",
                         DAY - timedelta(days=n % 7, hours=n), negativity=0.3 + n * 0.03))
    first, portal, xss = docs[0], docs[2], docs[4]
    records = [
        IncidentRecord(
            id="inc-xinxiang", title=first.title, first_document_id=first.id, first_url=first.url,
            first_source="fixture", first_outlet=first.outlet, first_seen=first.published_at,
            last_seen=portal.published_at, documents=3, sources=3,
            daily={"2021-04-24": 1, "2021-04-25": 2}, regions=[XINXIANG], hotlines=["12345"],
            categories=["rudeness"], negativity=0.8, level="orange", score=7,
            reasons=["3 reports from 3 sources (+1)", "covered by provincial media (+2)"],
        ),
        IncidentRecord(
            id="inc-xss", title=xss.title, first_document_id=xss.id, first_url=xss.url,
            first_source="fixture", first_outlet=xss.outlet, first_seen=xss.published_at,
            last_seen=xss.published_at, documents=1, sources=1, daily={"2021-04-25": 1},
            regions=[XINXIANG], hotlines=[SCRIPT], categories=["other"], negativity=0.95,
            level="red", score=9, reasons=[f"sensitive terms: {SCRIPT} (+2)"],
        ),
    ]
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        store.upsert_many(docs)
        store.replace_incidents(records)
    finally:
        store.close()
    return docs


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("web-browser")
    _fill(data_dir)
    app = create_app(load_config(None, data_dir=data_dir, environ={}))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        app.extensions["hotwatch_pool"].close()


class Watch:
    """Everything a page did that it should not: dialogs, requests elsewhere, CSP blocks."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def off_host(self) -> list[str]:
        return [
            url for url in self.requests
            if urlsplit(url).scheme != "data" and urlsplit(url).hostname != "127.0.0.1"
        ]

    def assert_clean(self) -> None:
        assert self.dialogs == []
        assert self.off_host() == []
        assert [e for e in self.console_errors if "Content Security Policy" in e] == []


@pytest.fixture(scope="module")
def browser(playwright_api: Any) -> Iterator[Any]:
    with playwright_api() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    return path


def test_search_filter_incident_and_csv(server, browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{server}/?date=2021-04-25")
        assert page.locator("h1").first.inner_text().startswith("今日概览")
        assert page.locator("svg.chart-svg rect:not(.total)").count() == 14
        assert page.locator("svg.chart-svg rect.total").count() == 14
        _shot(page, "web-today.png")

        page.fill("#q", "12345 AND 热线")
        page.press("#q", "Enter")
        page.wait_for_url("**/search?**")
        assert "共 17 篇" in page.locator(".total").inner_text()
        assert page.locator(".snippet mark").count() > 0
        _shot(page, "web-search.png")

        page.fill("input[name=region]", "广州")
        page.click("text=应用筛选")
        page.wait_for_url("**region=**")
        assert parse_qs(urlsplit(page.url).query)["region"] == ["广州"]
        assert "共 1 篇" in page.locator(".total").inner_text()

        # A facet link narrows the search; the sort select re-runs it (app.js).
        page.goto(f"{server}/search?q=12345")
        page.locator(".facet a", has_text="广州市").click()
        page.wait_for_url("**region=**")
        assert "共 1 篇" in page.locator(".total").inner_text()
        page.select_option("select[name=sort]", "time")
        page.wait_for_url("**sort=time**")
        assert parse_qs(urlsplit(page.url).query)["region"] == ["广州市"]

        page.goto(f"{server}/search?q=骂人")
        page.locator("a.incident-link").first.click()
        page.wait_for_url("**/incidents/inc-xinxiang")
        assert "风险等级：橙色" in page.content()
        assert page.locator("svg.chart-svg .marked").count() == 1  # the day of the 通报
        assert page.locator(".outlet-group").count() == 3
        _shot(page, "web-incident.png")

        page.goto(f"{server}/search?q=回访&region=新乡")
        total = int(page.locator(".total strong").inner_text())
        with page.expect_download() as download_info:
            page.click("a.export")
        download = download_info.value
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][0] == "标题" and len(rows) == total + 1 == 13
        assert download.suggested_filename.endswith(".csv")
        watch.assert_clean()
    finally:
        context.close()


def test_dashboard_opens_on_the_latest_day_with_charts_and_the_incident_timeline(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{server}/")  # today has no reports in this store
        notice = page.locator("#latest-notice")
        assert notice.is_visible()
        assert "以下显示最近有报道的一天：2021年4月25日" in notice.inner_text()
        charts = page.locator("svg.hbar-svg")
        assert charts.count() == 3
        for n in range(3):
            box = charts.nth(n).bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 20
        negative = page.locator("g.hbar-negative rect").first
        assert negative.bounding_box()["width"] > 0
        colour = negative.evaluate("e => getComputedStyle(e).fill")
        assert colour == "rgb(192, 57, 43)"  # the 负面 band's red, from the stylesheet
        _shot(page, "web-today-latest.png")

        page.goto(f"{server}/incidents/inc-xinxiang")
        timeline = page.locator("#timeline li")
        assert timeline.count() == 3
        assert [timeline.nth(i).locator(".role").inner_text() for i in range(3)] == [
            "首发", "官方回应", "跟进报道"]
        _shot(page, "web-incident-timeline.png")
        watch.assert_clean()
    finally:
        context.close()


def test_phone_layout_stacks_the_filters(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{server}/search?q=12345")
        filters = page.locator("aside.filters").bounding_box()
        results = page.locator("section.results").bounding_box()
        assert results["y"] > filters["y"] and abs(results["x"] - filters["x"]) < 2
        assert results["width"] <= 390
        # Folded on a phone so the results come first; opening shows the fields.
        assert page.locator("details.filter-panel").get_attribute("open") is None
        assert page.locator("details.facets").get_attribute("open") is None
        assert not page.locator("input[name=region]").is_visible()
        _shot(page, "web-search-phone.png")
        page.click("details.filter-panel summary")
        assert page.locator("input[name=region]").is_visible()
        page.goto(f"{server}/?date=2021-04-25")
        _shot(page, "web-today-phone.png")
        watch.assert_clean()
    finally:
        context.close()


def test_hostile_content_runs_nothing(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    try:
        for path in ("/search?q=script", "/search?q=12345&sort=negativity",
                     "/incidents/inc-xss", "/incidents", "/?date=2021-04-25"):
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
            assert page.locator("main img").count() == 0
            assert page.locator("main script").count() == 0
        page.goto(f"{server}/search?q=script")
        assert SCRIPT in page.locator(".hit-title").first.inner_text()
        assert page.locator(".snippet mark", has_text="script").count() >= 1
        _shot(page, "web-xss.png")
        page.locator(".hit-title a").first.click()
        page.wait_for_load_state("networkidle")
        assert SCRIPT in page.locator("h1").inner_text()
        assert BREAKOUT in page.locator("h1").inner_text()
        watch.assert_clean()
        assert any("/incidents/inc-xss" in url for url in watch.requests)
    finally:
        context.close()
