"""The PR desk from the command line: ``hotwatch incident ID --status ...`` records who
changed what, ``hotwatch incidents --status/--assignee/--overdue`` lists the 待办 by
deadline, and bad input is one line that changes nothing."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch import Hotwatch
from hotwatch.cli import cli
from tests.store_fixtures import fill_store

CONFIG = """
[workflow.deadlines]
blue = "2h"
yellow = "1h"
orange = "none"
red = "none"
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    fill_store(tmp_path / "data")
    (tmp_path / "hotwatch.toml").write_text(CONFIG, encoding="utf-8")
    Hotwatch(tmp_path / "hotwatch.toml", tmp_path / "data").rebuild_incidents()
    return tmp_path / "data"


def run(data_dir: Path, *args: str):
    config = str(data_dir.parent / "hotwatch.toml")
    return CliRunner().invoke(
        cli, ["--config", config, "--data-dir", str(data_dir), *args], env={"HOTWATCH_CONFIG": ""}
    )


def run_json(data_dir: Path, *args: str) -> dict:
    result = run(data_dir, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def ids(data_dir: Path) -> list[str]:
    return [i["id"] for i in run_json(data_dir, "incidents")["incidents"]]


def test_a_change_is_recorded_with_its_author_and_shown_with_the_incident(data_dir):
    first, second = ids(data_dir)
    changed = run_json(
        data_dir,
        "incident",
        first,
        "--status",
        "handling",
        "--assignee",
        "王敏",
        "--note",
        "已联系市12345热线",
        "--as",
        "analyst-li",
    )
    assert (changed["status"], changed["assignee"]) == ("handling", "王敏")
    assert [(e["user"], e["field"], e["old"], e["new"]) for e in changed["history"]] == [
        ("analyst-li", "status", "new", "handling"),
        ("analyst-li", "assignee", None, "王敏"),
    ]
    assert changed["history"][0]["note"] == "已联系市12345热线"

    run_json(data_dir, "incident", second, "--note", "先观察")
    shown = run_json(data_dir, "incident", second)
    assert shown["status"] == "new" and shown["reports"]  # the incident and its handling
    assert shown["history"][0]["user"] == f"cli:{getpass.getuser()}"
    assert shown["history"][0]["field"] == "note"

    text = run(data_dir, "incident", first).output
    assert "处置状态 处置中 (handling)  负责人 王敏" in text
    assert "analyst-li  status: new → handling  已联系市12345热线" in text


def test_the_todo_list_filters_by_status_assignee_and_deadline(data_dir):
    first, second = ids(data_dir)
    levels = sorted(i["level"] for i in run_json(data_dir, "incidents")["incidents"])
    assert levels == ["blue", "yellow"]  # both with a deadline of hours in CONFIG
    run_json(data_dir, "incident", first, "--status", "handling", "--assignee", "王敏")
    run_json(data_dir, "incident", second, "--status", "false_positive")

    handling = run_json(data_dir, "incidents", "--status", "handling")["incidents"]
    assert [(i["id"], i["assignee"]) for i in handling] == [(first, "王敏")]
    assert [
        i["id"] for i in run_json(data_dir, "incidents", "--assignee", "王敏")["incidents"]
    ] == [first]
    assert run_json(data_dir, "incidents", "--status", "new")["incidents"] == []
    overdue = run_json(data_dir, "incidents", "--overdue")["incidents"]
    # Reports of 2021 with deadlines of hours: the open one is overdue, the 误报 is not.
    assert [i["id"] for i in overdue] == [first]
    for row in overdue:
        assert row["overdue"] and row["due_at"]
    table = run(data_dir, "incidents", "--status", "handling", "--status", "false_positive")
    assert table.exit_code == 0
    assert "处置中" in table.output and "误报" in table.output


def test_bad_input_is_one_line_and_changes_nothing(data_dir):
    first, _ = ids(data_dir)
    unknown = run(data_dir, "incident", first, "--status", "done")
    assert unknown.exit_code == 2 and "'done' is not one of" in unknown.output
    gone = run(data_dir, "incident", "inc-deleted", "--status", "closed")
    assert (gone.exit_code, gone.output) == (1, "Error: no incident with id 'inc-deleted'\n")
    bad_url = run(data_dir, "incident", first, "--response-url", "gov.cn/x")
    assert bad_url.exit_code == 1 and bad_url.output.count("\n") == 1
    assert run_json(data_dir, "incident", first)["history"] == []


def test_a_non_utf8_note_from_a_real_shell_is_refused(data_dir):
    first, _ = ids(data_dir)
    env = {**os.environ, "HOTWATCH_CONFIG": str(data_dir.parent / "hotwatch.toml")}
    env.update(HOTWATCH_DATA_DIR=str(data_dir), LC_ALL="C.UTF-8")
    args = [sys.executable, "-m", "hotwatch", "incident", first, "--note", b"\xff\xfe note"]
    done = subprocess.run(args, env=env, capture_output=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.decode() == "Error: the note is not valid UTF-8 text\n"
    assert run_json(data_dir, "incident", first)["history"] == []


def test_a_broken_deadline_is_a_one_line_config_error(tmp_path):
    config = tmp_path / "hotwatch.toml"
    config.write_text('[workflow.deadlines]\nred = "soon"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "incidents"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config}: [workflow.deadlines] red: 'soon' is not a duration such as "
        '"5h", "30m" or "3d"\n'
    )
