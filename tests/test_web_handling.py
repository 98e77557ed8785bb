"""The PR desk on the web (Flask's test client): the handling panel and form on the
incident page, the 待办 list, and ``GET/POST /api/incidents/<id>``, with the access
token as a Bearer header or a logged-in session (which needs its CSRF token)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from hotwatch import Hotwatch
from hotwatch.config import load_config
from hotwatch.web import create_app
from tests.store_fixtures import fill_store

TOKEN = "s3cret-token-for-handling-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def config(tmp_path: Path) -> Any:
    fill_store(tmp_path / "data")
    (tmp_path / "hotwatch.toml").write_text('[workflow.deadlines]\nblue = "1h"\nyellow = "1h"\n')
    config = load_config(tmp_path / "hotwatch.toml", data_dir=tmp_path / "data", environ={})
    Hotwatch(config).rebuild_incidents()
    return config


@pytest.fixture
def ids(config: Any) -> list[str]:
    return [r.id for r in Hotwatch(config).incidents()]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def logged_in(config: Any) -> Any:
    client = create_app(config, token=TOKEN).test_client()
    form = client.get("/login").get_data(as_text=True)
    done = client.post("/login", data={"token": TOKEN, "csrf_token": _csrf(form)})
    assert done.status_code == 302
    return client


def test_the_api_changes_handling_with_the_token_and_reports_it(config, ids):
    client = create_app(config, token=TOKEN).test_client()
    first = ids[0]
    before = client.get(f"/api/incidents/{first}", headers=BEARER).get_json()
    assert (before["status"], before["assignee"], before["history"]) == ("new", None, [])
    assert before["due_at"] and before["reports"]  # the incident as before, plus handling
    answer = client.post(
        f"/api/incidents/{first}",
        json={"status": "handling", "assignee": "王敏", "note": "已联系"},
        headers=BEARER,
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    after = client.get(f"/api/incidents/{first}", headers=BEARER).get_json()
    assert (after["status"], after["assignee"]) == ("handling", "王敏")
    assert [(e["user"], e["field"], e["new"]) for e in after["history"]] == [
        ("web:token", "status", "handling"),
        ("web:token", "assignee", "王敏"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "done"}, "unknown status 'done'"),
        ({"status": "closed", "owner": "x"}, "unknown field(s): owner"),
        ({"note": 5}, "note must be a string"),
        (["closed"], "the body must be a JSON object"),
    ],
)
def test_the_api_refuses_bad_changes_with_one_line(config, ids, body, message):
    client = create_app(config, token=TOKEN).test_client()
    answer = client.post(f"/api/incidents/{ids[0]}", json=body, headers=BEARER)
    assert answer.status_code == 400
    assert message in answer.get_json()["error"]
    assert "\n" not in answer.get_json()["error"]
    assert client.get(f"/api/incidents/{ids[0]}", headers=BEARER).get_json()["history"] == []


def test_the_api_refuses_strangers_forged_posts_and_unknown_incidents(config, ids):
    client = create_app(config, token=TOKEN).test_client()
    assert client.post(f"/api/incidents/{ids[0]}", json={"status": "closed"}).status_code == 401
    session = logged_in(config)
    forged = session.post(f"/api/incidents/{ids[0]}", json={"status": "closed"})
    assert forged.status_code == 403
    wrong = session.post(
        f"/api/incidents/{ids[0]}", json={"status": "closed"}, headers={"X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403
    gone = client.post("/api/incidents/inc-deleted", json={"status": "closed"}, headers=BEARER)
    assert gone.status_code == 404
    assert client.get(f"/api/incidents/{ids[0]}", headers=BEARER).get_json()["history"] == []


def test_the_incident_page_form_and_the_todo_list(config, ids):
    client = logged_in(config)
    first, second = ids
    page = client.get(f"/incidents/{first}").get_data(as_text=True)
    assert "待研判" in page and "尚无处置记录" in page and "已逾期" in page
    forged = client.post(
        f"/incidents/{first}/handling", data={"status": "handling", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    saved = client.post(
        f"/incidents/{first}/handling",
        data={
            "status": "handling",
            "assignee": "王敏",
            "note": "已转城管局",
            "csrf_token": _csrf(page),
        },
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#handling")
    page = client.get(f"/incidents/{first}").get_data(as_text=True)
    assert "状态：待研判 → 处置中" in page and "已转城管局" in page and "web:token" in page

    todo = client.get("/todo").get_data(as_text=True)
    assert todo.index(first) >= 0 and second in todo  # both open
    mine = client.get("/todo?assignee=王敏").get_data(as_text=True)
    assert first in mine and second not in mine
    handling = client.get("/todo?status=handling&overdue=1").get_data(as_text=True)
    assert first in handling and "已逾期" in handling and second not in handling
    assert client.get("/todo?status=done").status_code == 400
