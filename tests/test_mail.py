"""Digest delivery over a real SMTP server on 127.0.0.1: MIME, idempotency, outbox, errors."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from reports.errors import EmailConfigError
from reports.mail import build_message, message_bytes
from reports.settings import email_settings
from tests.report_fixtures import build_store, write_config
from tests.smtp_server import (
    refusing_port,
    self_signed_certificate,
    server_tls_context,
    smtp_server,
)

PASSWORD = "Tai-Shan-9f3kQ"
WRONG_PASSWORD = "wrong-Pw-7xZq"
DATE = "2021-04-25"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    build_store(directory)
    return directory


def invoke(data_dir: Path, config: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        cli,
        ["--config", str(config), "--data-dir", str(data_dir), *args],
        env={"HOTWATCH_CONFIG": "", **(env or {})},
    )


def outbox(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "reports" / "outbox").glob("*.eml"))


def test_digest_is_a_multipart_chinese_email_with_sourced_links(data_dir, tmp_path):
    with smtp_server() as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port)
        result = invoke(data_dir, config, "digest", "--date", DATE, "--send")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent digest:default:day:2021-04-25 to pr@hotwatch.test")
    [received] = handler.received
    assert received.sender == "yuqing@hotwatch.test"
    assert received.recipients == ["pr@hotwatch.test", "lead@hotwatch.test"]
    raw_headers = received.data.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # RFC 2047 encoded words, no raw UTF-8 in headers
    subject_raw = re.search(rb"^Subject: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", raw_headers, re.M)[1]
    assert b"=?utf-8?" in subject_raw.lower()
    subject = str(make_header(decode_header(subject_raw.decode("ascii"))))
    assert subject == "【12345热线舆情日报】2021年4月25日 相关报道3篇，新增事件2起（橙1 蓝1）"

    message = received.message
    assert message["Subject"] == subject
    assert message["From"].addresses[0].display_name == "舆情监测中心"
    assert message["From"].addresses[0].addr_spec == "yuqing@hotwatch.test"
    assert re.fullmatch(r"<[^@>]+@hotwatch\.test>", message["Message-ID"])
    assert message["Date"].datetime is not None
    assert message["List-Unsubscribe"] == "<mailto:yuqing@hotwatch.test?subject=unsubscribe>"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    text, html = (p.get_content() for p in parts)
    assert "【核心数据】" in text and "[橙色] 新乡12345热线接线员骂人（新增）" in text
    assert "<https://henan.test/2.html>" in text
    assert '<a href="https://news.test/1.html"' in html
    assert '<a href="https://henan.test/2.html"' in html
    assert "省级媒体报道（+2）" in html and "河南省新乡市" in html


def test_second_send_does_nothing_and_force_sends_again(data_dir, tmp_path):
    with smtp_server() as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port)
        first = invoke(data_dir, config, "digest", "--date", DATE, "--send")
        again = invoke(data_dir, config, "digest", "--date", DATE, "--send")
        forced = invoke(data_dir, config, "digest", "--date", DATE, "--send", "--force")
    assert first.exit_code == again.exit_code == forced.exit_code == 0
    assert "was already sent on" in again.output and "--force" in again.output
    assert forced.output.startswith("sent ")
    assert len(handler.received) == 2
    ids = {r.message["Message-ID"] for r in handler.received}
    assert len(ids) == 2


def test_a_send_while_the_server_is_down_waits_in_the_outbox_for_retry(data_dir, tmp_path):
    with refusing_port() as port:
        config = write_config(tmp_path / "hotwatch.toml", port=port)
        failed = invoke(data_dir, config, "digest", "--date", DATE, "--send")
    assert failed.exit_code == 1
    [line] = failed.output.strip().splitlines()
    assert line.startswith(f"Error: cannot reach SMTP server 127.0.0.1:{port}: ")
    assert "kept digest_default_day_2021-04-25-" in line
    [queued] = outbox(data_dir)
    queued_bytes = queued.read_bytes()  # exactly what the server is sent later

    with smtp_server(port=port) as (server, handler):
        retried = invoke(data_dir, config, "digest", "--retry")
        again = invoke(data_dir, config, "digest", "--retry")
        resend = invoke(data_dir, config, "digest", "--date", DATE, "--send")
    assert retried.exit_code == 0, retried.output
    assert retried.output.startswith("delivered digest:default:day:2021-04-25")
    assert again.output == "outbox is empty\n"
    assert "was already sent" in resend.output
    assert outbox(data_dir) == []
    [received] = handler.received
    assert received.data.rstrip(b"\r\n") == queued_bytes.rstrip(b"\r\n")


@pytest.fixture
def tls(tmp_path):
    """(server TLS context, config lines for STARTTLS trusting the test certificate)."""
    cert, key = self_signed_certificate(tmp_path)
    extra = f'starttls = true\nca_file = "{cert}"\n'
    return server_tls_context(cert, key), extra


def test_starttls_and_login(data_dir, tmp_path, tls):
    context, extra = tls
    extra += 'username = "yuqing"\npassword_env = "HOTWATCH_SMTP_PASSWORD"'
    with smtp_server(credentials=("yuqing", PASSWORD), tls_context=context) as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port, extra=extra)
        result = invoke(data_dir, config, "digest", "--date", DATE, "--send",
                        env={"HOTWATCH_SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert len(handler.received) == 1


def test_an_untrusted_certificate_fails_cleanly(data_dir, tmp_path, tls):
    context, _ = tls
    with smtp_server(tls_context=context) as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port,
                              extra="starttls = true")
        result = invoke(data_dir, config, "digest", "--date", DATE, "--send")
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: TLS with SMTP server 127.0.0.1:{server.port} failed: CERTIFICATE_VERIFY_FAILED"
    )
    assert handler.received == []


def test_a_refused_login_is_one_clear_line_without_the_password(data_dir, tmp_path, tls):
    context, extra = tls
    extra += 'username = "yuqing"\npassword_env = "HOTWATCH_SMTP_PASSWORD"'
    with smtp_server(credentials=("yuqing", PASSWORD), tls_context=context) as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port, extra=extra)
        refused = invoke(data_dir, config, "digest", "--date", DATE, "--send",
                         env={"HOTWATCH_SMTP_PASSWORD": WRONG_PASSWORD})
        accepted = invoke(data_dir, config, "digest", "--retry",
                          env={"HOTWATCH_SMTP_PASSWORD": PASSWORD})
    assert refused.exit_code == 1
    [line] = refused.output.strip().splitlines()
    assert line.startswith(f"Error: SMTP server 127.0.0.1:{server.port} refused the login for "
                           "'yuqing': 535")
    assert WRONG_PASSWORD not in refused.output and PASSWORD not in refused.output
    assert accepted.exit_code == 0, accepted.output
    assert len(handler.received) == 1
    for path in (data_dir / "reports").rglob("*"):
        if path.is_file():
            assert WRONG_PASSWORD.encode() not in path.read_bytes()
            assert PASSWORD.encode() not in path.read_bytes()


def test_a_missing_password_variable_is_reported_before_anything_is_queued(data_dir, tmp_path):
    extra = 'username = "yuqing"\npassword_env = "HOTWATCH_TEST_UNSET_PASSWORD"'
    with smtp_server() as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port, extra=extra)
        result = invoke(data_dir, config, "digest", "--date", DATE, "--send")
    assert result.exit_code == 1
    assert result.output == (
        "Error: email.username is set but the password variable HOTWATCH_TEST_UNSET_PASSWORD "
        "(email.password_env) is not set\n"
    )
    assert handler.received == []
    assert outbox(data_dir) == []


def test_a_rejected_recipient_fails_the_send_but_the_others_get_it_once(data_dir, tmp_path):
    with smtp_server(reject={"lead@hotwatch.test"}) as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port)
        result = invoke(data_dir, config, "digest", "--date", DATE, "--send")
        still_refused = invoke(data_dir, config, "digest", "--retry")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: SMTP server refused recipient(s): lead@hotwatch.test (550 ")
    assert "delivered to pr@hotwatch.test" in line
    assert still_refused.exit_code == 1
    assert [r.recipients for r in handler.received] == [["pr@hotwatch.test"]]
    assert len(outbox(data_dir)) == 1

    with smtp_server(port=server.port) as (_, fixed):
        retried = invoke(data_dir, config, "digest", "--retry")
    assert retried.exit_code == 0, retried.output
    assert [r.recipients for r in fixed.received] == [["lead@hotwatch.test"]]
    assert outbox(data_dir) == []


def test_every_recipient_refused_is_an_error(data_dir, tmp_path):
    with smtp_server(reject={"pr@hotwatch.test", "lead@hotwatch.test"}) as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port)
        result = invoke(data_dir, config, "digest", "--date", DATE, "--send")
    assert result.exit_code == 1
    assert "refused every recipient: pr@hotwatch.test (550" in result.output
    assert handler.received == []
    assert len(outbox(data_dir)) == 1


def test_out_writes_eml_and_html_without_sending(data_dir, tmp_path):
    with smtp_server() as (server, handler):
        config = write_config(tmp_path / "hotwatch.toml", port=server.port)
        target = tmp_path / "out" / "digest.eml"
        target.parent.mkdir()
        result = invoke(data_dir, config, "digest", "--date", DATE, "--out", str(target),
                        "--to", "someone@hotwatch.test")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {target} and {target.with_suffix('.html')}\n"
    assert handler.received == []
    from reports.mail import parse_message

    message = parse_message(target.read_bytes())
    assert message["To"].addresses[0].addr_spec == "someone@hotwatch.test"
    assert target.with_suffix(".html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_preview_prints_the_text_part(data_dir, tmp_path):
    config = write_config(tmp_path / "hotwatch.toml", port=25)
    result = invoke(data_dir, config, "digest", "--date", DATE, "--preview")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("12345热线舆情日报 · 2021年4月25日\n")
    assert "负面占比：66.7%（较前一日 -33.3 个百分点）" in result.output


def test_an_unknown_plan_is_a_one_line_error(data_dir, tmp_path):
    config = write_config(tmp_path / "hotwatch.toml", port=25)
    result = invoke(data_dir, config, "digest", "--date", DATE, "--plan", "nowhere")
    assert result.exit_code == 1
    assert result.output == "Error: no plan named 'nowhere' (configured: default)\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"password": "x"}, "email.password is not allowed in the file"),
        ({"port": 0}, "email.port must be between 1 and 65535, not 0"),
        ({"ssl": True, "starttls": True}, "choose one of starttls = true or ssl = true"),
        ({"hots": "x"}, "email: unknown key 'hots'"),
        ({"from": "not an address"}, "email.from: 'not an address' is not an email address"),
        ({"recipients": {"default": "a@b"}}, None),
        ({"recipients": {"default": ["nobody"]}}, "email.recipients.default: 'nobody' is not"),
        ({"alerts": {"level": "purple"}}, "email.alerts.level must be one of blue"),
        ({"digest": {"hour": 24}}, "email.digest.hour must be between 0 and 23, not 24"),
        ({"digest": {"timezone": "Mars/Base"}}, "unknown time zone 'Mars/Base'"),
    ],
)
def test_email_settings_validation(raw, message):
    if message is None:
        assert email_settings(raw, {}).recipients["default"] == ("a@b",)
        return
    with pytest.raises(EmailConfigError) as error:
        email_settings(raw, {})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_the_password_comes_from_the_environment_and_stays_out_of_repr():
    settings = email_settings(
        {"username": "u", "password_env": "SMTP_PW", "ssl": True}, {"SMTP_PW": PASSWORD}
    )
    assert settings.credentials() == ("u", PASSWORD)
    assert settings.port == 465 and settings.security == "ssl"
    assert PASSWORD not in repr(settings)


def test_headers_are_encoded_and_bodies_utf8():
    settings = email_settings({"from": "舆情监测 <a@hotwatch.test>"}, {})
    message = build_message(
        subject="【舆情日报】今日无新增", text="今日无新增\n", html="<p>今日无新增</p>",
        sender=settings.sender, recipients=["王主任 <wang@hotwatch.test>"],
    )
    data = message_bytes(message)
    head, _, _ = data.partition(b"\r\n\r\n")
    assert head.isascii()
    assert b"From: =?utf-8?" in head and b"To: =?utf-8?" in head
    assert b"\r\n" in data and b"\n\n" not in data.replace(b"\r\n", b"")


def test_sending_without_an_email_table_says_what_to_configure(data_dir):
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "digest", "--date", DATE, "--send"],
        env={"HOTWATCH_CONFIG": ""},
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: email is not configured: add [email] host (and from, recipients) to "
        "hotwatch.toml\n"
    )
    assert outbox(data_dir) == []
