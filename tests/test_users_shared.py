"""Users kept with the store: the same rules for the SQLite user book and the one in
Elasticsearch (a real node at ``HOTWATCH_ES_URL``), two machines on one cluster sharing
users, tokens and sessions, and a machine's own users moved into the shared book."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hotwatch import Hotwatch
from hotwatch.cli import cli
from hotwatch.config import Config, load_config
from hotwatch.users import LoginThrottled, UserBook, UserError, open_user_book
from hotwatch.users.elasticsearch_book import MOVED_SUFFIX
from hotwatch.users.rules import MAX_FAILURES
from hotwatch.web import create_app

ES_URL = os.environ.get("HOTWATCH_ES_URL")
BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]
PASSWORD = "correct horse battery"


def machine(data_dir: Path, backend: str, prefix: str) -> Config:
    environ = {"HOTWATCH_INDEX": backend}
    if backend == "elasticsearch":
        if not ES_URL:
            pytest.skip("no Elasticsearch configured (set HOTWATCH_ES_URL)")
        environ.update(HOTWATCH_ES_URL=ES_URL, HOTWATCH_ES_INDEX_PREFIX=prefix)
    config = load_config(None, data_dir=data_dir, environ=environ)
    return config


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"users-{uuid.uuid4().hex[:8]}-"
    yield name
    if ES_URL:
        from elasticsearch import Elasticsearch

        client = Elasticsearch(ES_URL)
        client.indices.delete(index=f"{name}*", allow_no_indices=True)
        client.close()


@pytest.fixture(params=BACKENDS)
def config(request: Any, tmp_path: Path, prefix: str) -> Config:
    return machine(tmp_path / "data", request.param, prefix)


def test_the_book_keeps_its_rules_on_every_backend(config):
    book = Hotwatch(config).users
    assert not book.any_users()
    book.add("王敏", "analyst", PASSWORD)
    book.add("boss", "admin", PASSWORD)
    with pytest.raises(UserError, match="already exists"):
        book.add("王敏", "viewer", PASSWORD)
    with pytest.raises(UserError, match="unknown role"):
        book.add("x1", "root", PASSWORD)
    assert book.any_users()
    assert [(u.name, u.role) for u in book.list()] == [("boss", "admin"), ("王敏", "analyst")]

    assert book.login("王敏", "wrong password!", "10.0.0.1") is None
    user = book.login("王敏", PASSWORD, "10.0.0.1")
    assert user is not None and user.role == "analyst"
    session = book.open_session("王敏")
    assert book.user_for_session(session).name == "王敏"

    token = book.new_token("王敏")
    assert book.user_for_token(token).name == "王敏"
    newer = book.new_token("王敏")
    assert book.user_for_token(token) is None and book.user_for_token(newer).name == "王敏"

    book.set_password("王敏", "another long password")
    assert book.user_for_session(session) is None  # a password change ends sessions
    assert book.login("王敏", PASSWORD, "10.0.0.2") is None
    session = book.open_session("王敏")
    book.set_role("王敏", "viewer")
    assert book.user_for_session(session).role == "viewer"

    book.disable("王敏")
    assert book.user_for_session(session) is None and book.user_for_token(newer) is None
    assert book.login("王敏", "another long password", "10.0.0.3") is None
    book.disable("王敏", False)
    assert book.user_for_session(session) is None  # ended, not paused
    assert book.user_for_token(newer).name == "王敏"

    for _ in range(MAX_FAILURES):
        assert book.login("boss", "not the password", "10.0.0.9") is None
    with pytest.raises(LoginThrottled):
        book.login("boss", PASSWORD, "10.0.0.10")  # the name is locked, from anywhere

    book.remove("王敏")
    assert book.get("王敏") is None and book.user_for_token(newer) is None
    with pytest.raises(UserError, match="no user"):
        book.remove("王敏")
    assert book.secret() == book.secret() and len(book.secret()) == 32


@pytest.mark.elasticsearch
def test_two_machines_on_one_cluster_share_users_tokens_and_sessions(tmp_path, prefix):
    one = machine(tmp_path / "one", "elasticsearch", prefix)
    two = machine(tmp_path / "two", "elasticsearch", prefix)
    Hotwatch(one).users.add("王敏", "analyst", PASSWORD)
    token = Hotwatch(one).users.new_token("王敏")
    assert [u.name for u in Hotwatch(two).users.list()] == ["王敏"]

    app_one, app_two = create_app(one), create_app(two)
    # A script's token made on one machine opens the other's API.
    bearer = {"Authorization": f"Bearer {token}"}
    assert app_two.test_client().get("/api/incidents", headers=bearer).status_code == 200
    assert app_two.test_client().get("/api/incidents").status_code == 401

    # Behind a load balancer: logged in on one server, known to the other.
    browser = app_one.test_client()
    form = browser.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    done = browser.post("/login", data={"name": "王敏", "password": PASSWORD, "csrf_token": csrf})
    assert done.status_code == 302
    cookie = browser.get_cookie("hotwatch_session")
    other = app_two.test_client()
    other.set_cookie("hotwatch_session", cookie.value)
    assert "王敏" in other.get("/todo").get_data(as_text=True)

    Hotwatch(two).users.disable("王敏")  # disabled on the second machine
    assert browser.get("/todo").status_code == 302  # the first one logs them out
    assert app_one.test_client().get("/api/incidents", headers=bearer).status_code == 401


@pytest.mark.elasticsearch
def test_a_machines_own_users_move_into_the_shared_book(tmp_path, prefix):
    local = UserBook(tmp_path / "one")  # users kept per machine before
    local.add("王敏", "analyst", PASSWORD)
    local.add("ops", "admin", PASSWORD)
    local.disable("ops")
    token = local.new_token("王敏")
    elsewhere = UserBook(tmp_path / "two")
    elsewhere.add("王敏", "viewer", "a different password")  # the same name on machine two

    shared = open_user_book(machine(tmp_path / "one", "elasticsearch", prefix).index,
                            tmp_path / "one")
    assert [(u.name, u.role, u.disabled) for u in shared.list()] == [
        ("ops", "admin", True), ("王敏", "analyst", False)]
    assert shared.login("王敏", PASSWORD, "10.0.0.1") is not None  # the same password
    assert shared.user_for_token(token).name == "王敏"  # and the same token
    assert not (tmp_path / "one" / "users.sqlite3").exists()
    assert (tmp_path / "one" / ("users.sqlite3" + MOVED_SUFFIX)).exists()

    again = open_user_book(machine(tmp_path / "two", "elasticsearch", prefix).index,
                           tmp_path / "two")
    assert again.get("王敏").role == "analyst"  # the shared user wins over machine two's
    assert again.login("王敏", "a different password", "10.0.0.2") is None
    shared.remove("ops")
    reopened = open_user_book(machine(tmp_path / "one", "elasticsearch", prefix).index,
                              tmp_path / "one")
    assert reopened.get("ops") is None  # moved once: removed users do not come back


def test_a_sqlite_store_keeps_its_users_beside_it(tmp_path, prefix):
    config = machine(tmp_path / "data", "sqlite", prefix)
    Hotwatch(config).users.add("王敏", "analyst", PASSWORD)
    assert (tmp_path / "data" / "users.sqlite3").exists()
    assert UserBook(tmp_path / "data").get("王敏").role == "analyst"


def test_an_unreachable_cluster_is_one_line_and_keeps_the_local_users(tmp_path):
    local = UserBook(tmp_path / "data")
    local.add("王敏", "analyst", PASSWORD)
    environment = {"HOTWATCH_INDEX": "elasticsearch", "HOTWATCH_ES_URL": "http://127.0.0.1:9"}
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "data"), "users", "list"], env=environment
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: cannot reach Elasticsearch at http://127.0.0.1:9 for the user book "
        "(is the cluster up?)"
    )
    assert UserBook(tmp_path / "data").get("王敏") is not None  # nothing moved, nothing lost
