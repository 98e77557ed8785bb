"""Named users and roles: the user book, ``hotwatch users``, and the web page with them
(Flask's test client): logins, sessions that end, API tokens, throttling, roles, and the
shared token kept as an admin credential."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hotwatch import Hotwatch
from hotwatch.cli import cli
from hotwatch.config import load_config
from hotwatch.users import LoginThrottled, UserBook, UserError
from hotwatch.users.rules import MAX_FAILURES
from hotwatch.web import create_app
from tests.store_fixtures import fill_store

PASSWORD = "correct horse battery"
TOKEN = "s3cret-shared-token-0123456789"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config(tmp_path: Path) -> Any:
    fill_store(tmp_path / "data")
    config = load_config(None, data_dir=tmp_path / "data", environ={})
    Hotwatch(config).rebuild_incidents()
    return config


@pytest.fixture
def book(config: Any) -> UserBook:
    users = UserBook(config.data_dir)
    users.add("王敏", "analyst", PASSWORD)
    users.add("viewer1", "viewer", PASSWORD)
    users.add("boss", "admin", PASSWORD)
    return users


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _login(client: Any, name: str, password: str = PASSWORD) -> Any:
    form = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": _csrf(form)})


def test_passwords_are_hashed_and_checked(book, config):
    stored = (config.data_dir / "users.sqlite3").read_bytes()
    assert PASSWORD.encode() not in stored and b"scrypt$" in stored
    assert (config.data_dir / "users.sqlite3").stat().st_mode & 0o077 == 0
    assert book.login("王敏", PASSWORD, "1.2.3.4").role == "analyst"
    assert book.login("王敏", "wrong password", "1.2.3.4") is None
    assert book.login("nobody", PASSWORD, "1.2.3.4") is None
    with pytest.raises(UserError, match="at least 10"):
        book.add("short", "viewer", "12345")
    with pytest.raises(UserError, match="unknown role"):
        book.add("x", "root", PASSWORD)
    with pytest.raises(UserError, match="already exists"):
        book.add("boss", "viewer", PASSWORD)


def test_repeated_failures_lock_the_name_then_the_right_password_is_refused_too(book):
    for _ in range(MAX_FAILURES):
        assert book.login("王敏", "guess guess guess", "10.0.0.1") is None
    with pytest.raises(LoginThrottled):
        book.login("王敏", PASSWORD, "10.0.0.2")
    assert book.login("boss", PASSWORD, "10.0.0.2").name == "boss"  # others unaffected
    with pytest.raises(LoginThrottled):  # and the guessing address is locked as well
        book.login("boss", PASSWORD, "10.0.0.1")


def test_once_a_user_exists_every_page_needs_a_login_on_loopback_too(config):
    client = create_app(config).test_client()
    assert client.get("/todo").status_code == 200
    UserBook(config.data_dir).add("王敏", "analyst", PASSWORD)
    assert client.get("/todo").status_code == 302
    assert client.get("/api/search").status_code == 401
    assert _login(client, "王敏").status_code == 302
    page = client.get("/todo").get_data(as_text=True)
    assert "王敏（处置）" in page


def test_a_viewer_reads_but_cannot_change_handling(book, config):
    incident_id = Hotwatch(config).incidents()[0].id
    client = create_app(config).test_client()
    _login(client, "viewer1")
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "只读账号" in page and 'class="handling-form"' not in page
    csrf = _csrf(page)  # the logout form's: a valid token does not lift the role
    form = client.post(f"/incidents/{incident_id}/handling",
                       data={"status": "closed", "csrf_token": csrf})
    api = client.post(f"/api/incidents/{incident_id}", json={"status": "closed"},
                      headers={"X-CSRF-Token": csrf})
    assert (form.status_code, api.status_code) == (403, 403)
    assert "没有权限" in api.get_json()["error"]
    assert Hotwatch(config).handling.show(incident_id).handling.status == "new"


def test_an_analyst_change_is_recorded_under_their_name(book, config):
    incident_id = Hotwatch(config).incidents()[0].id
    client = create_app(config).test_client()
    _login(client, "王敏")
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    done = client.post(f"/incidents/{incident_id}/handling",
                       data={"status": "handling", "assignee": "王敏", "note": "已联系",
                             "csrf_token": _csrf(page)})
    assert done.status_code == 302
    history = Hotwatch(config).handling.show(incident_id).history
    assert {(e.user, e.field) for e in history} >= {("王敏", "status"), ("王敏", "assignee")}


def test_assignees_must_be_users_once_users_exist(book, config):
    incident_id = Hotwatch(config).incidents()[0].id
    token = book.new_token("boss")
    client = create_app(config).test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    answer = client.post(f"/api/incidents/{incident_id}", json={"assignee": "陌生人"},
                         headers=bearer)
    assert answer.status_code == 400 and "no user '陌生人'" in answer.get_json()["error"]
    book.disable("viewer1")
    answer = client.post(f"/api/incidents/{incident_id}", json={"assignee": "viewer1"},
                         headers=bearer)
    assert answer.status_code == 400 and "disabled" in answer.get_json()["error"]
    assert Hotwatch(config).handling.show(incident_id).handling.assignee is None


def test_logout_and_a_password_change_end_sessions(book, config):
    app = create_app(config)
    first, second = app.test_client(), app.test_client()
    _login(first, "王敏")
    _login(second, "王敏")
    stolen = first.get_cookie("hotwatch_session").value
    page = first.get("/todo").get_data(as_text=True)
    first.post("/logout", data={"csrf_token": _csrf(page)})
    replay = app.test_client()
    replay.set_cookie("hotwatch_session", stolen)
    assert replay.get("/todo").status_code == 302  # the logged-out session is dead
    assert second.get("/todo").status_code == 200
    book.set_password("王敏", "another long password")
    assert second.get("/todo").status_code == 302
    assert _login(second, "王敏").status_code == 403  # the old password no longer works


def test_api_tokens_carry_the_role_and_stop_when_replaced_or_disabled(book, config):
    client = create_app(config).test_client()
    token = book.new_token("viewer1")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/search", headers=bearer).status_code == 200
    incident_id = Hotwatch(config).incidents()[0].id
    assert client.post(f"/api/incidents/{incident_id}", json={"note": "x"},
                       headers=bearer).status_code == 403
    newer = book.new_token("viewer1")
    assert client.get("/api/search", headers=bearer).status_code == 401
    book.disable("viewer1")
    assert client.get("/api/search",
                      headers={"Authorization": f"Bearer {newer}"}).status_code == 401


def test_the_shared_token_stays_an_admin_credential(book, config):
    client = create_app(config, token=TOKEN).test_client()
    incident_id = Hotwatch(config).incidents()[0].id
    answer = client.post(f"/api/incidents/{incident_id}", json={"status": "watching"},
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.get_json()["history"][-1]["user"] == "web:token"


def test_the_login_form_is_throttled(book, config):
    client = create_app(config).test_client()
    for _ in range(MAX_FAILURES):
        assert _login(client, "boss", "not the password").status_code == 403
    refused = _login(client, "boss")
    assert refused.status_code == 429 and "登录失败次数过多" in refused.get_data(as_text=True)


def test_the_users_commands(config):
    data = str(config.data_dir)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Any:
        return runner.invoke(cli, ["--data-dir", data, "users", *args], input=stdin)

    assert "no users yet" in run("list").output
    added = run("add", "王敏", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert run("add", "ops", "--role", "admin", "--password-stdin",
               stdin=PASSWORD + "\n").exit_code == 0
    listed = json.loads(run("list", "--json").output)["users"]
    assert [(u["name"], u["role"]) for u in listed] == [("ops", "admin"), ("王敏", "analyst")]
    token = run("token", "ops").output.strip()
    assert token.startswith("hw_") and UserBook(config.data_dir).user_for_token(token).name == "ops"
    assert run("disable", "王敏").exit_code == 0
    assert "disabled" in run("list").output
    bad = run("add", "x", "--role", "root", "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.exit_code == 2
    short = run("add", "x", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and short.output.strip().splitlines() == [
        "Error: the password must be at least 10 characters"]
    missing = run("passwd", "nobody", "--password-stdin", stdin=PASSWORD + "\n")
    assert missing.output.strip() == "Error: no user 'nobody' (see: hotwatch users list)"
    assert run("remove", "王敏").exit_code == 0


def test_the_cli_as_names_an_active_analyst_once_users_exist(book, config):
    incident_id = Hotwatch(config).incidents()[0].id
    runner = CliRunner()
    base = ["--data-dir", str(config.data_dir), "incident", incident_id, "--status", "watching"]
    viewer = runner.invoke(cli, [*base, "--as", "viewer1"])
    assert viewer.exit_code == 1 and "viewer1 is a viewer" in viewer.output
    unknown = runner.invoke(cli, [*base, "--as", "nobody"])
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    assert Hotwatch(config).handling.show(incident_id).handling.status == "new"
    done = runner.invoke(cli, [*base, "--as", "王敏"])
    assert done.exit_code == 0, done.output
    assert Hotwatch(config).handling.show(incident_id).history[-1].user == "王敏"


def test_a_password_prompt_from_a_real_terminal_less_shell(config):
    """``--password-stdin`` through a real process, as a provisioning script runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "hotwatch", "--data-dir", str(config.data_dir), "users", "add",
         "ops", "--role", "admin", "--password-stdin"],
        input=PASSWORD.encode() + b"\n", capture_output=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert UserBook(config.data_dir).login("ops", PASSWORD, "127.0.0.1") is not None


def test_removing_every_user_does_not_open_a_server_that_started_with_users(book, config):
    client = create_app(config).test_client()
    for user in book.list():
        book.remove(user.name)
    assert client.get("/api/search").status_code == 401
    assert client.get("/todo").status_code == 302
