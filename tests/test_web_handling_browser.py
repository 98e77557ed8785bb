"""The PR desk in real headless Chromium: someone logs in with the access token, moves an
incident from 待研判 to 处置中 with a note, sees it in the history and in 待办; a forged
cross-site POST changes nothing. The server is real (Werkzeug on 127.0.0.1, port 0).

Skips without Chromium or playwright, except under CI=true (see test_web_browser).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from hotwatch import Hotwatch
from hotwatch.config import load_config
from hotwatch.web import create_app
from tests.store_fixtures import fill_store
from tests.test_web_browser import Watch, _shot, browser, playwright_api  # noqa: F401

TOKEN = "s3cret-token-for-the-desk-0123456789"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    root = tmp_path_factory.mktemp("desk")
    fill_store(root / "data")
    config = load_config(None, data_dir=root / "data", environ={})
    Hotwatch(config).rebuild_incidents()
    app = create_app(config, token=TOKEN)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", config
    finally:
        httpd.shutdown()
        httpd.server_close()
        app.extensions["hotwatch_pool"].close()


def test_an_incident_moves_from_new_to_handling_with_a_note(desk, browser):  # noqa: F811
    server, config = desk
    incident_id = Hotwatch(config).incidents()[0].id
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{server}/incidents/{incident_id}")
        page.wait_for_url("**/login**")
        page.fill("input[name=token]", TOKEN)
        page.press("input[name=token]", "Enter")
        page.wait_for_url(f"**/incidents/{incident_id}")
        panel = page.locator("#handling")
        assert "待研判" in panel.inner_text() and "尚无处置记录" in panel.inner_text()

        page.select_option("#handling select[name=status]", "handling")
        page.fill("#handling input[name=assignee]", "王敏")
        page.fill("#handling textarea[name=note]", "已联系金水区城管局")
        page.click("#handling button[type=submit]")
        page.wait_for_url(f"**/incidents/{incident_id}#handling")
        history = page.locator("#handling .history").inner_text()
        assert "状态：待研判 → 处置中" in history and "已联系金水区城管局" in history
        assert "处置中" in page.locator("#handling .badge.status").inner_text()
        _shot(page, "web-handling.png")

        page.click("nav.mainnav >> text=待办")
        page.wait_for_url("**/todo")
        row = page.locator("tr", has_text="王敏")
        assert row.count() == 1 and "处置中" in row.inner_text()
        watch.assert_clean()

        # A page elsewhere posting the form with the browser's cookie: refused (SameSite
        # keeps the cookie home, and without it the CSRF token could not match anyway).
        page.set_content(
            f'<form method="post" action="{server}/incidents/{incident_id}/handling">'
            '<input name="status" value="closed"><input name="csrf_token" value="guess">'
            "</form>"
        )
        with page.expect_navigation():
            page.evaluate("document.forms[0].submit()")
        assert Hotwatch(config).handling.show(incident_id).handling.status == "handling"
    finally:
        context.close()
