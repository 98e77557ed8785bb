"""The PR desk in the reports: the digest's 处置情况 (email over loopback SMTP, and the
Word report), and the one-time 处置逾期 escalation to a loopback mail receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from docx import Document

from hotwatch import Hotwatch
from hotwatch.cli import cli
from hotwatch.config import load_config
from tests.report_fixtures import build_store, write_config
from tests.smtp_server import smtp_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKFLOW = '[workflow.deadlines]\norange = "24h"\nblue = "none"\n'
ALERTS = """
[alerts]
cooldown_hours = 24

[[alerts.channels]]
type = "email"
name = "duty-mail"
level = "orange"
to = ["duty@hotwatch.test"]
"""


def _setup(tmp_path: Path, port: int, extra: str = "") -> tuple[Path, Path, datetime]:
    """A store whose orange incident was first reported 30 hours ago (24 h allowed)."""
    data = tmp_path / "data"
    first = datetime.now(UTC) - timedelta(hours=30)
    build_store(data, day=first)
    config = write_config(tmp_path / "hotwatch.toml", port=port)
    config.write_text(WORKFLOW + config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return config, data, first


def _invoke(config: Path, data: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(data), *args],
        env={"HOTWATCH_CONFIG": ""},
    )


def _text(raw: bytes) -> str:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_digest_says_what_is_open_overdue_and_closed_today_by_whom(tmp_path):
    with smtp_server() as (server, handler):
        config, data, _ = _setup(tmp_path, server.port)
        desk = Hotwatch(load_config(config, data_dir=data, environ={})).handling
        desk.change("inc-xinxiang", user="王敏", status="handling", assignee="王敏",
                    note="已联系新乡市12345")
        desk.change("inc-guangzhou", user="李强", status="closed", note="已回复市民")
        today = datetime.now(SHANGHAI).date().isoformat()
        sent = _invoke(config, data, "digest", "--date", today, "--send")
        assert sent.exit_code == 0, sent.output
        docx = tmp_path / "专报.docx"
        report = _invoke(config, data, "report", "digest", "--date", today, "--format", "docx",
                         "--out", str(docx))
        assert report.exit_code == 0, report.output
    [mail] = handler.received
    text = _text(mail.data)
    section = text[text.index("【处置情况】"):]
    assert "处置中 1 · 已结案 1" in section
    assert "逾期未办 1 件" in section and "新乡12345热线接线员骂人｜处置中｜负责人 王敏" in section
    assert "本期办结 1 件" in section and "｜已结案｜李强" in section
    html = BytesParser(policy=policy.default).parsebytes(mail.data).get_body(
        preferencelist=("html",)).get_content()
    assert "处置情况" in html and "逾期未办 1 件" in html

    document = Document(str(docx))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "七、处置情况" in headings
    overdue = next(t for t in document.tables if t.rows[0].cells[0].text == "事件")
    assert [c.text for c in overdue.rows[1].cells][1:3] == ["处置中", "王敏"]


def test_an_overdue_incident_is_escalated_once_then_never_again(tmp_path):
    with smtp_server() as (server, handler):
        config, data, _ = _setup(tmp_path, server.port, ALERTS)
        Hotwatch(load_config(config, data_dir=data, environ={})).handling.change(
            "inc-xinxiang", user="王敏", assignee="王敏"
        )
        first = _invoke(config, data, "alerts")
        second = _invoke(config, data, "alerts")
        assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    subjects = [BytesParser(policy=policy.default).parsebytes(m.data)["Subject"]
                for m in handler.received]
    assert sorted(subjects) == ["【处置逾期】新乡12345热线接线员骂人",
                                "【橙色预警】新乡12345热线接线员骂人"]
    overdue = next(m for m in handler.received if "处置逾期" in
                   BytesParser(policy=policy.default).parsebytes(m.data)["Subject"])
    assert overdue.recipients == ["duty@hotwatch.test"]
    body = _text(overdue.data)
    assert "已过处置期限" in body and "负责人：王敏" in body and "状态：待研判" in body


def test_closed_or_answered_in_time_incidents_are_not_escalated(tmp_path):
    with smtp_server() as (server, handler):
        config, data, _ = _setup(tmp_path, server.port, ALERTS)
        Hotwatch(load_config(config, data_dir=data, environ={})).handling.change(
            "inc-xinxiang", user="王敏", status="responded", note="已发布情况通报"
        )
        result = _invoke(config, data, "alerts")
        assert result.exit_code == 0, result.output
    subjects = [BytesParser(policy=policy.default).parsebytes(m.data)["Subject"]
                for m in handler.received]
    assert not any("处置逾期" in s for s in subjects)
