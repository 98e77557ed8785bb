"""Alerts over a real SMTP server and a real loopback webhook; ``hotwatch run`` and its lock."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from index import open_store
from reports.alerts import evaluate_alerts, run_alerts
from reports.channels.config import alert_config
from reports.errors import AlreadyRunning
from reports.schedule import run_lock, run_pipeline
from reports.settings import email_settings
from tests.report_fixtures import build_store, set_level, write_config
from tests.smtp_server import smtp_server

NOW = datetime(2021, 4, 25, 8, 0, tzinfo=UTC)  # five hours after the last report
RECIPIENTS = {"default": ["pr@hotwatch.test"], "alerts": ["duty@hotwatch.test"]}


def settings_for(port: int, **alerts):
    raw = {"host": "127.0.0.1", "port": port, "from": "舆情监测中心 <yuqing@hotwatch.test>",
           "recipients": RECIPIENTS, "timeout": 10}
    if alerts:
        raw["alerts"] = alerts
    return email_settings(raw, {})


def legacy(settings):
    """The channels that [email] and [email.alerts] alone configure."""
    return alert_config(settings, {}, {}, email_raw={})


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build_store(tmp_path)
    return tmp_path


@contextmanager
def stored(data_dir: Path):
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        yield store
    finally:
        store.close()


def alert_run(data_dir: Path, settings, now=NOW, **kwargs):
    state = data_dir / "reports"
    state.mkdir(exist_ok=True)
    with stored(data_dir) as store:
        return run_alerts(store, legacy(settings), state, now, **kwargs).outcomes


def test_an_orange_incident_alerts_once_to_the_alert_recipients(data_dir):
    with smtp_server() as (server, handler):
        settings = settings_for(server.port)
        first = alert_run(data_dir, settings)
        second = alert_run(data_dir, settings, NOW + timedelta(hours=1))
    assert [(o.alert.record.id, o.emailed) for o in first] == [("inc-xinxiang", True)]
    assert second == []
    [received] = handler.received
    assert received.recipients == ["duty@hotwatch.test"]
    message = received.message
    assert message["Subject"] == "【橙色预警】新乡12345热线接线员骂人"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "事件达到橙色预警" in html and "事件达到橙色预警" in text
    assert '<a href="https://news.test/1.html"' in html
    assert "<https://henan.test/2.html>" in text


def test_escalation_alerts_again_at_the_higher_level(data_dir):
    with smtp_server() as (server, handler):
        settings = settings_for(server.port)
        alert_run(data_dir, settings)
        set_level(data_dir, "red")
        [escalated] = alert_run(data_dir, settings, NOW + timedelta(minutes=30))
    assert escalated.alert.escalated and escalated.alert.previous_level == "orange"
    assert [r.message["Subject"] for r in handler.received] == [
        "【橙色预警】新乡12345热线接线员骂人",
        "【红色预警】新乡12345热线接线员骂人",
    ]
    text = handler.received[1].message.get_body(("plain",)).get_content()
    assert "事件由橙色升级为红色预警" in text


def test_a_lower_threshold_and_the_cool_down(data_dir):
    with smtp_server() as (server, handler):
        settings = settings_for(server.port, level="blue", cooldown_hours=6)
        first = alert_run(data_dir, settings)
        # After the cool-down, but with no new report since: still quiet.
        quiet = alert_run(data_dir, settings, NOW + timedelta(hours=7))
    assert sorted(o.alert.record.id for o in first) == ["inc-guangzhou", "inc-xinxiang"]
    assert quiet == []
    assert len(handler.received) == 2


def test_dry_run_sends_and_records_nothing(data_dir):
    with smtp_server() as (server, handler):
        settings = settings_for(server.port)
        dry = alert_run(data_dir, settings, dry_run=True)
        real = alert_run(data_dir, settings)
    assert [o.alert.key for o in dry] == ["alert:inc-xinxiang:orange"]
    assert not dry[0].emailed and not dry[0].queued
    assert [o.alert.key for o in real] == ["alert:inc-xinxiang:orange"]
    assert len(handler.received) == 1


def test_closed_and_false_positive_incidents_do_not_alert(data_dir):
    from index.handling import change_handling
    from index.handling_records import HandlingChange

    with stored(data_dir) as store:
        change_handling(
            store, "inc-xinxiang", HandlingChange(status="false_positive"), user="analyst"
        )
        change_handling(store, "inc-guangzhou", HandlingChange(status="closed"), user="analyst")
    with smtp_server() as (server, handler):
        sent = alert_run(data_dir, settings_for(server.port, level="blue"))
    assert sent == [] and handler.received == []


def test_evaluate_alerts_ignores_incidents_outside_the_lookback(data_dir):
    settings = settings_for(25)
    with stored(data_dir) as store:
        assert evaluate_alerts(store, legacy(settings), data_dir, NOW + timedelta(days=4)) == []


class _Hook(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length).decode("utf-8")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def webhook() -> Iterator[tuple[str, list[dict]]]:
    handler = type("Hook", (_Hook,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler.bodies
    finally:
        server.shutdown()
        server.server_close()


def test_the_webhook_receives_the_alert_as_json(data_dir):
    with webhook() as (url, bodies), smtp_server() as (server, handler):
        outcomes = alert_run(data_dir, settings_for(server.port, webhook_url=url))
    assert [(o.emailed, o.webhook) for o in outcomes] == [(True, True)]
    [body] = bodies
    assert body["type"] == "hotwatch.alert"
    assert body["level"] == "orange" and body["level_name"] == "橙色"
    assert body["incident"]["title"] == "新乡12345热线接线员骂人"
    assert body["incident"]["first_document"]["url"] == "https://news.test/1.html"


def test_alerts_command_dry_run_json(tmp_path):
    build_store(tmp_path / "data", day=datetime.now(UTC) - timedelta(hours=6))
    config = write_config(tmp_path / "hotwatch.toml", port=25)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(tmp_path / "data"), "alerts",
              "--dry-run", "--json"], env={"HOTWATCH_CONFIG": ""},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] is True
    assert [a["key"] for a in data["alerts"]] == ["alert:inc-xinxiang:orange"]


def test_run_sends_alerts_and_the_due_digest_once(data_dir):
    morning = datetime(2021, 4, 26, 1, 0, tzinfo=UTC)  # 09:00 Shanghai, digest hour 8
    crawled = []
    with smtp_server() as (server, handler):
        settings = settings_for(server.port)
        summary = run_pipeline(
            data_dir=data_dir, open_store=lambda: open_store({}, data_dir), settings=settings,
            alerting=legacy(settings), plans=(), crawl=lambda: crawled.append(True), now=morning,
        )
        again = run_pipeline(
            data_dir=data_dir, open_store=lambda: open_store({}, data_dir), settings=settings,
            alerting=legacy(settings), plans=(), crawl=None, now=morning + timedelta(minutes=30),
        )
    assert crawled == [True]
    assert summary.errors == [] and again.errors == []
    assert [(d.key, d.status) for d in summary.digests] == [("digest:default:day:2021-04-25",
                                                             "sent")]
    assert again.digests == []
    # The incident's last report is 20 hours old, within the 72-hour lookback: alert first.
    assert [o.alert.key for o in summary.alerts] == ["alert:inc-xinxiang:orange"]
    assert again.alerts == []
    subjects = [r.message["Subject"] for r in handler.received]
    assert len(subjects) == 2
    assert subjects[0] == "【橙色预警】新乡12345热线接线员骂人"
    assert subjects[1].startswith("【12345热线舆情日报】2021年4月25日")


def test_run_before_the_digest_hour_sends_no_digest(data_dir):
    early = datetime(2021, 4, 25, 22, 0, tzinfo=UTC)  # 06:00 Shanghai
    with smtp_server() as (server, handler):
        summary = run_pipeline(
            data_dir=data_dir, open_store=lambda: open_store({}, data_dir),
            settings=settings_for(server.port), alerting=legacy(settings_for(server.port)),
            plans=(), crawl=None, now=early,
        )
    assert summary.digests == []


def test_a_second_run_stops_at_the_lock(tmp_path):
    config = write_config(tmp_path / "hotwatch.toml", port=25)
    with run_lock(tmp_path / "data"):
        with pytest.raises(AlreadyRunning):
            with run_lock(tmp_path / "data"):
                pass
        result = CliRunner().invoke(
            cli, ["--config", str(config), "--data-dir", str(tmp_path / "data"), "run",
                  "--no-crawl"], env={"HOTWATCH_CONFIG": ""},
        )
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("Error: another hotwatch run is in progress (pid ")
    assert line.endswith("hotwatch.lock); not starting")
    with run_lock(tmp_path / "data"):  # released: the next run may start
        pass
