"""Named users in real headless Chromium against ``hotwatch serve`` as a real process
(waitress): an analyst logs in with name and password, moves an incident from 待研判 to
处置中 with a note and sees the history under her name; a viewer sees no controls, and
a forged POST, with a made-up CSRF token and with the viewer's own, changes nothing; an
admin adds, re-roles and disables a user and makes a token on 用户管理, which others
cannot open.

Skips without Chromium or playwright, except under CI=true (see test_web_browser).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotwatch import Hotwatch
from hotwatch.config import load_config
from hotwatch.users import UserBook
from tests.store_fixtures import fill_store
from tests.test_web_browser import Watch, _shot, browser, playwright_api  # noqa: F401

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    root = tmp_path_factory.mktemp("users-desk")
    data = fill_store(root / "data")
    config = load_config(None, data_dir=data, environ={})
    Hotwatch(config).rebuild_incidents()
    users = UserBook(data)
    users.add("王敏", "analyst", PASSWORD)
    users.add("reader", "viewer", PASSWORD)
    users.add("boss", "admin", PASSWORD)
    log = root / "serve.out"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOTWATCH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "hotwatch", "--data-dir", str(data), "serve", "--port", "0"],
        stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT, env=environment,
    )
    try:
        deadline = time.monotonic() + 60
        while "serving on http://" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        line = next(x for x in log.read_text().splitlines() if "serving on" in x)
        yield line.split("serving on ", 1)[1].split("/ ", 1)[0], config
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _log_in(page: Any, server: str, name: str, target: str) -> None:
    page.goto(f"{server}{target}")
    page.wait_for_url("**/login**")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"**{target}")


def test_an_analyst_logs_in_and_moves_an_incident_to_handling(desk, browser):  # noqa: F811
    server, config = desk
    incident_id = Hotwatch(config).incidents()[0].id
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    try:
        _log_in(page, server, "王敏", f"/incidents/{incident_id}")
        assert "王敏（处置）" in page.locator("header").inner_text()
        page.select_option("#handling select[name=status]", "handling")
        page.fill("#handling input[name=assignee]", "王敏")
        page.fill("#handling textarea[name=note]", "已联系金水区城管局")
        page.click("#handling button[type=submit]")
        page.wait_for_url(f"**/incidents/{incident_id}#handling")
        history = page.locator("#handling .history").inner_text()
        assert "状态：待研判 → 处置中" in history and "已联系金水区城管局" in history
        assert "王敏" in page.locator("#handling .history .user").first.inner_text()
        _shot(page, "web-users-analyst.png")
        watch.assert_clean()

        page.click("header form.logout button")
        page.wait_for_url("**/login**")
        page.goto(f"{server}/todo")
        page.wait_for_url("**/login**")  # logged out for good
    finally:
        context.close()


def test_a_viewer_sees_no_controls_and_forged_posts_change_nothing(desk, browser):  # noqa: F811
    server, config = desk
    incident_id = Hotwatch(config).incidents()[-1].id
    before = Hotwatch(config).handling.show(incident_id).handling.status
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, server, "reader", f"/incidents/{incident_id}")
        panel = page.locator("#handling")
        assert "只读账号" in panel.inner_text()
        assert page.locator("#handling form").count() == 0
        own_token = page.locator("header form.logout input[name=csrf_token]").get_attribute(
            "value"
        )
        for token in ("guess", own_token):
            answer = page.evaluate(
                """async ([url, token]) => {
                    const body = new URLSearchParams({status: "closed", csrf_token: token});
                    const r = await fetch(url, {method: "POST", body});
                    return r.status;
                }""",
                [f"{server}/incidents/{incident_id}/handling", token],
            )
            assert answer in (400, 403)
        api = page.evaluate(
            """async ([url, token]) => {
                const r = await fetch(url, {method: "POST", body: '{"status": "closed"}',
                    headers: {"Content-Type": "application/json", "X-CSRF-Token": token}});
                return [r.status, (await r.json()).error];
            }""",
            [f"{server}/api/incidents/{incident_id}", own_token],
        )
        assert api[0] == 403 and "没有权限" in api[1]
        assert Hotwatch(config).handling.show(incident_id).handling.status == before
    finally:
        context.close()


def test_an_admin_manages_users_on_the_page_others_cannot_open(desk, browser):  # noqa: F811
    server, config = desk
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    try:
        _log_in(page, server, "boss", "/users")
        assert page.locator("nav.mainnav a", has_text="用户").count() == 1
        page.fill("#add-user input[name=name]", "李雷")
        page.select_option("#add-user select[name=role]", "analyst")
        page.fill("#add-user input[name=password]", "short")
        page.click("#add-user button[type=submit]")
        assert page.locator("#add-user input[name=password]").evaluate(
            "e => !e.checkValidity()")  # the browser refuses a short password itself
        page.fill("#add-user input[name=password]", "li lei's long password")
        page.click("#add-user button[type=submit]")
        page.wait_for_url("**/users?done=added**")
        assert "已添加用户 李雷" in page.locator(".notice").inner_text()
        row = page.locator("tr[data-user='李雷']")
        assert row.locator("select[name=role]").input_value() == "analyst"

        row.locator("select[name=role]").select_option("viewer")
        row.locator("button", has_text="改角色").click()
        page.wait_for_url("**/users?done=role**")
        row = page.locator("tr[data-user='李雷']")
        assert row.locator("select[name=role]").input_value() == "viewer"

        row.locator("button", has_text="生成访问令牌").click()
        token = page.locator("code.new-token").inner_text()
        users = UserBook(Path(config.data_dir))
        assert users.user_for_token(token).name == "李雷"

        page.locator("tr[data-user='李雷'] button", has_text="停用").click()
        page.wait_for_url("**/users?done=disabled**")
        assert "已停用" in page.locator("tr[data-user='李雷'] .user-state").inner_text()
        assert users.get("李雷").disabled and users.user_for_token(token) is None
        # An admin cannot lock themself out here.
        page.locator("tr[data-user='boss'] button", has_text="停用").click()
        assert "不能在此停用" in page.locator(".error-message").inner_text()
        assert not users.get("boss").disabled
        _shot(page, "web-users-admin.png")
        watch.assert_clean()
    finally:
        context.close()

    for name in ("王敏", "reader"):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        try:
            _log_in(page, server, name, "/todo")
            assert page.locator("nav.mainnav a", has_text="用户").count() == 0
            answer = page.goto(f"{server}/users")
            assert answer.status == 403 and "没有权限" in page.inner_text("main")
        finally:
            context.close()
