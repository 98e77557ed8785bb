"""Alerts to DingTalk, WeCom and Feishu robots, a signed webhook and email, over loopback.

The robots in ``tests/robot_server.py`` verify each platform's signature from its
documentation and refuse a bad one exactly as the platform answers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from hotwatch.config import ConfigError, load_config
from reports.channels.messages import CUT_MARK, cut_lines
from tests.report_fixtures import build_store, set_level, write_config
from tests.robot_server import robot_server
from tests.smtp_server import refusing_port, smtp_server

SECRETS = {
    "dingtalk": "SECdingtalk-secret-0123456789",
    "feishu": "feishu-secret-abcdef",
    "webhook": "webhook-secret",
}
ENV = {
    "HOTWATCH_CONFIG": "",
    "DING_SECRET": SECRETS["dingtalk"],
    "FEISHU_SECRET": SECRETS["feishu"],
    "HOOK_SECRET": SECRETS["webhook"],
    "WECOM_URL": "",
}


def channels_toml(robots, *, ding_level: str = "orange", wecom_url: str | None = None) -> str:
    wecom = f'url = "{wecom_url}"' if wecom_url else 'url_env = "WECOM_URL"'
    return f"""
[web]
base_url = "https://yuqing.example.cn/hotwatch/"

[alerts]
cooldown_hours = 24

[[alerts.channels]]
type = "dingtalk"
url = "{robots.url('dingtalk')}"
secret_env = "DING_SECRET"
level = "{ding_level}"

[[alerts.channels]]
type = "wecom"
{wecom}

[[alerts.channels]]
type = "feishu"
url = "{robots.url('feishu')}"
secret_env = "FEISHU_SECRET"
level = "yellow"

[[alerts.channels]]
type = "webhook"
url = "{robots.url('webhook')}"
secret_env = "HOOK_SECRET"

[[alerts.channels]]
type = "email"
name = "duty-mail"
to = ["duty@hotwatch.test"]
"""


def setup(tmp_path: Path, robots, smtp_port: int, **options) -> tuple[Path, Path]:
    data = tmp_path / "data"
    build_store(data, day=datetime.now(UTC) - timedelta(hours=6))
    config = tmp_path / "hotwatch.toml"
    write_config(config, port=smtp_port)
    text = config.read_text(encoding="utf-8")
    # [email] first; the [alerts] and [web] tables follow it.
    config.write_text(text + channels_toml(robots, **options), encoding="utf-8")
    return config, data


def alerts(config: Path, data: Path, env: dict[str, str], *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(data), "alerts", *args], env=env
    )


def test_every_channel_gets_the_alert_once_signed_as_its_platform_documents(tmp_path):
    with robot_server(SECRETS) as robots, smtp_server() as (server, handler):
        config, data = setup(tmp_path, robots, server.port)
        env = {**ENV, "WECOM_URL": robots.url("wecom")}
        first = alerts(config, data, env, "--json")
        second = alerts(config, data, env, "--json")
    assert first.exit_code == 0, first.output
    assert robots.refused == {}
    assert {kind: len(bodies) for kind, bodies in robots.accepted.items()} == {
        "dingtalk": 1, "wecom": 1, "feishu": 1, "webhook": 1,
    }
    [outcome] = json.loads(first.stdout)["alerts"]
    assert outcome["key"] == "alert:inc-xinxiang:orange"
    assert {r["channel"]: r["status"] for r in outcome["results"]} == {
        "dingtalk": "sent", "wecom": "sent", "feishu": "sent", "webhook": "sent",
        "duty-mail": "sent",
    }
    assert second.exit_code == 0 and json.loads(second.stdout)["alerts"] == []
    [mail] = handler.received
    assert mail.recipients == ["duty@hotwatch.test"]
    assert mail.message["Subject"] == "【橙色预警】新乡12345热线接线员骂人"
    page_link = "https://yuqing.example.cn/hotwatch/incidents/inc-xinxiang"
    assert f'href="{page_link}"' in mail.message.get_body(("html",)).get_content()
    assert f"<{page_link}>" in mail.message.get_body(("plain",)).get_content()

    ding = robots.accepted["dingtalk"][0]["markdown"]
    assert ding["title"] == "【橙色预警】新乡12345热线接线员骂人"
    for text in (ding["text"], robots.accepted["wecom"][0]["markdown"]["content"]):
        assert "事件达到橙色预警" in text
        assert "风险依据" in text and "省级媒体报道（+2）" in text
        assert "首发" in text and "新乡日报" in text
        assert "报道 2 篇，来源 2 个" in text and "河南省新乡市" in text
        assert "(https://news.test/1.html)" in text and "(https://henan.test/2.html)" in text
        assert "(https://yuqing.example.cn/hotwatch/incidents/inc-xinxiang)" in text
    card = robots.accepted["feishu"][0]["card"]
    assert card["header"]["template"] == "orange"
    assert card["header"]["title"]["content"] == "【橙色预警】新乡12345热线接线员骂人"
    assert "(https://news.test/1.html)" in card["elements"][0]["text"]["content"]
    hook = robots.accepted["webhook"][0]
    assert hook["type"] == "hotwatch.alert" and hook["level_name"] == "橙色"
    assert hook["url"] == "https://yuqing.example.cn/hotwatch/incidents/inc-xinxiang"


def test_a_bad_signature_is_refused_kept_and_retried_without_blocking_others(tmp_path):
    with robot_server(SECRETS) as robots, smtp_server() as (server, _):
        config, data = setup(tmp_path, robots, server.port)
        wrong = {**ENV, "WECOM_URL": robots.url("wecom"), "DING_SECRET": "SECwrong",
                 "FEISHU_SECRET": "wrong", "HOOK_SECRET": "wrong"}
        failed = alerts(config, data, wrong)
        assert failed.exit_code == 1
        assert robots.refused == {
            "dingtalk": ["sign not match"],
            "feishu": [
                "sign match fail or timestamp is not within one hour from current time"
            ],
            "webhook": ["bad signature"],
        }
        assert len(robots.accepted["wecom"]) == 1  # the unsigned robot was not held up
        [error_line] = [line for line in failed.output.splitlines() if line.startswith("Error:")]
        assert "errcode 310000 sign not match" in error_line
        assert "outbox" in error_line
        queued = sorted((data / "reports" / "outbox" / "channels").glob("*.json"))
        assert len(queued) == 3

        fixed = {**ENV, "WECOM_URL": robots.url("wecom")}
        retried = alerts(config, data, fixed, "--json")
    assert retried.exit_code == 0, retried.output
    result = json.loads(retried.stdout)
    assert result["alerts"] == []  # not alerted again: only the queued posts went out
    assert sorted(result["retried"]) == ["alert:inc-xinxiang:orange"] * 3
    assert {k: len(v) for k, v in robots.accepted.items()} == {
        "dingtalk": 1, "wecom": 1, "feishu": 1, "webhook": 1,
    }
    assert list((data / "reports" / "outbox" / "channels").glob("*.json")) == []


def test_an_unreachable_or_failing_robot_is_reported_and_queued(tmp_path):
    with refusing_port() as port, robot_server(SECRETS) as robots, smtp_server() as (server, _):
        config, data = setup(
            tmp_path, robots, server.port,
            wecom_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k",
        )
        robots.down.add("feishu")
        result = alerts(config, data, ENV, "--json")
    assert result.exit_code == 1
    [outcome] = json.loads(result.stdout)["alerts"]
    errors = {r["channel"]: r["error"] for r in outcome["results"]}
    assert errors["wecom"].startswith("channel wecom unreachable:")
    assert errors["feishu"].startswith("channel feishu answered HTTP 503")
    assert errors["dingtalk"] is None and errors["duty-mail"] is None
    assert len(list((data / "reports" / "outbox" / "channels").glob("*.json"))) == 2


def test_each_channel_has_its_own_level_and_escalation_reaches_a_red_channel(tmp_path):
    with robot_server(SECRETS) as robots, smtp_server() as (server, _):
        config, data = setup(tmp_path, robots, server.port, ding_level="red")
        env = {**ENV, "WECOM_URL": robots.url("wecom")}
        first = alerts(config, data, env)
        assert first.exit_code == 0, first.output
        assert "dingtalk" not in robots.accepted
        assert len(robots.accepted["feishu"]) == 1
        set_level(data, "red", day=datetime.now(UTC) - timedelta(hours=6))
        second = alerts(config, data, env)
    assert second.exit_code == 0, second.output
    # Red is due 5 h after the first report, so the 6-hour-old incident is also overdue.
    red, overdue = robots.accepted["dingtalk"]
    assert red["markdown"]["title"] == "【红色预警】新乡12345热线接线员骂人"
    assert "事件由橙色升级为红色预警" in red["markdown"]["text"]
    assert overdue["markdown"]["title"] == "【处置逾期】新乡12345热线接线员骂人"
    assert len(robots.accepted["feishu"]) == 3
    assert robots.accepted["feishu"][1]["card"]["header"]["template"] == "red"


def test_wecom_markdown_is_cut_cleanly_at_4096_bytes():
    lines = [f"{n}. [新乡12345热线接线员骂人事件第{n}篇报道](https://news.test/{n}.html)"
             for n in range(200)]
    text = cut_lines(lines, 4096)
    data = text.encode("utf-8")
    assert len(data) <= 4096
    assert text.endswith(CUT_MARK)
    kept = text[: -len(CUT_MARK)].split("\n")
    assert kept == lines[: len(kept)]  # whole lines only, none cut in the middle
    assert len(cut_lines(["短"] * 3, 4096).encode("utf-8")) == len("短\n短\n短".encode())
    huge = cut_lines(["骂" * 3000], 4096)
    assert len(huge.encode("utf-8")) <= 4096 and huge.startswith("骂" * 100)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('type = "dingtalk"\nurl = "https://x.test/"\nsecret = "SECabc"',
         "secret is not allowed in the file: put it in an environment variable and name it "
         "in secret_env"),
        ('type = "slack"\nurl = "https://x.test/"', "type must be one of dingtalk | wecom | "
         "feishu | webhook | email, not 'slack'"),
        ('type = "feishu"', "set url or url_env (one of them)"),
        ('type = "wecom"\nurl = "https://x.test/"\nsecret_env = "S"',
         "a wecom robot has no signing secret (its key is in the URL)"),
        ('type = "feishu"\nurl = "https://x.test/"\nlevel = "purple"',
         "level must be one of blue, yellow, orange, red, not 'purple'"),
    ],
)
def test_channel_configuration_errors_are_one_line(tmp_path, table, message):
    path = tmp_path / "hotwatch.toml"
    path.write_text(f"[[alerts.channels]]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    assert str(raised.value) == f"{path}: alerts.channels[0]: {message}"


def test_the_old_webhook_setting_beside_channels_says_what_to_write(tmp_path):
    path = tmp_path / "hotwatch.toml"
    path.write_text(
        '[email.alerts]\nwebhook_url = "https://hooks.test/h"\n\n'
        '[[alerts.channels]]\ntype = "wecom"\nurl = "https://x.test/"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r'add it as a channel with type = "webhook"$'):
        load_config(path, environ={})


def test_email_alerts_settings_alone_still_configure_email_and_webhook(tmp_path):
    path = tmp_path / "hotwatch.toml"
    path.write_text(
        '[email]\nhost = "127.0.0.1"\n[email.alerts]\nlevel = "red"\n'
        'webhook_url = "https://hooks.test/h"\n',
        encoding="utf-8",
    )
    settings = load_config(path, environ={}).alert_settings({})
    assert [(c.name, c.type, c.level) for c in settings.channels] == [
        ("email", "email", "red"), ("webhook", "webhook", "red"),
    ]


def test_alerts_sent_before_channels_existed_are_not_sent_again(tmp_path):
    """alerts.json keys without a channel (older versions) count for every channel."""
    from reports.alerts import evaluate_alerts
    from reports.channels.config import alert_config
    from reports.settings import email_settings

    build_store(tmp_path / "data", day=datetime.now(UTC) - timedelta(hours=6))
    state = tmp_path / "data" / "reports"
    state.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    (state / "alerts.json").write_text(json.dumps({"alert:inc-xinxiang:orange": {
        "sent_at": (now - timedelta(hours=1)).isoformat(),
        "last_seen": (now - timedelta(hours=1)).isoformat(),
    }}), encoding="utf-8")
    config = alert_config(
        email_settings({}, {}),
        {"channels": [{"type": "wecom", "url": "https://qyapi.test/send?key=k"}]}, {},
    )
    from index import open_store

    store = open_store({"backend": "sqlite"}, tmp_path / "data")
    try:
        assert evaluate_alerts(store, config, state, now) == []
        later = now + timedelta(days=2)  # after the cool-down, but no report since
        assert evaluate_alerts(store, config, state, later) == []
    finally:
        store.close()
