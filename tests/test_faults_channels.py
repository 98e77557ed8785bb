"""Chat robots (DingTalk, WeCom, Feishu) answering HTTP 500, holding the request past the
channel's timeout, or refusing the connection when an alert is due: the alert waits in the
outbox (doctor names it) and the next runs post it to each robot exactly once when the
robot is back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from tests.fault_table import record
from tests.report_fixtures import build_store
from tests.robot_server import Robots, robot_server
from tests.smtp_server import refusing_port

pytestmark = pytest.mark.faults
ROBOTS = ("dingtalk", "wecom", "feishu")
SECRETS = {"dingtalk": "SECdingtalk-secret-0123456789", "feishu": "feishu-secret-abcdef"}
ENV = {"HOTWATCH_CONFIG": "", "DING_SECRET": SECRETS["dingtalk"],
       "FEISHU_SECRET": SECRETS["feishu"]}


def write_config(path: Path, robots: Robots) -> Path:
    channels = "".join(
        f'\n[[alerts.channels]]\ntype = "{kind}"\nurl = "{robots.url(kind)}"\n'
        f'level = "yellow"\ntimeout = 1\n'
        + (f'secret_env = "{"DING" if kind == "dingtalk" else "FEISHU"}_SECRET"\n'
           if kind in SECRETS else "")
        for kind in ROBOTS
    )
    path.write_text(f"[alerts]\ncooldown_hours = 24\n{channels}", encoding="utf-8")
    return path


def alerts(config: Path, data: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(data), "alerts", *args], env=ENV
    )


def doctor_kinds(config: Path, data: Path) -> list[str]:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(data), "doctor", "--json"], env=ENV
    )
    return [f["kind"] for f in json.loads(result.output)["findings"]]


@pytest.mark.parametrize("fault", ["500", "timeout", "refused"])
def test_robots_failing_then_back_get_each_alert_once(tmp_path, fault):
    data = tmp_path / "data"
    build_store(data, day=datetime.now(UTC) - timedelta(hours=6))
    with refusing_port() as port:  # nothing listens there until the robots are back
        config = write_config(tmp_path / "hotwatch.toml", Robots(f"http://127.0.0.1:{port}", {}))
        if fault == "refused":
            failed = alerts(config, data, "--json")
            kinds = doctor_kinds(config, data)
    with robot_server(SECRETS, port=port) as robots:
        if fault != "refused":
            robots.failing = dict.fromkeys(ROBOTS, "hang" if fault == "timeout" else fault)
            robots.hang_seconds = 2.5
            failed = alerts(config, data, "--json")
            kinds = doctor_kinds(config, data)
            robots.failing = {}
        back = alerts(config, data, "--json")
        again = alerts(config, data, "--json")
    posted = {kind: len(robots.accepted.get(kind, [])) for kind in ROBOTS}
    record(f"chat robots: {fault}", messages_lost=sum(n == 0 for n in posted.values()),
           messages_doubled=sum(max(0, n - 1) for n in posted.values()))

    assert failed.exit_code == 1
    [error] = [line for line in failed.output.splitlines() if line.startswith("Error:")]
    assert "outbox" in error
    [outcome] = json.loads(failed.stdout)["alerts"]
    assert {r["channel"]: r["status"] for r in outcome["results"]} == dict.fromkeys(
        ROBOTS, "failed")
    assert "channel-outbox" in kinds
    assert back.exit_code == 0, back.output
    assert sorted(json.loads(back.stdout)["retried"]) == ["alert:inc-xinxiang:orange"] * 3
    quiet = json.loads(again.stdout)
    assert again.exit_code == 0
    assert (quiet["alerts"], quiet["retried"], quiet["still_queued"]) == ([], [], [])
    assert posted == dict.fromkeys(ROBOTS, 1)
    assert robots.refused == {}
    assert not list((data / "reports" / "outbox" / "channels").glob("*.json"))
