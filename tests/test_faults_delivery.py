"""The SMTP server is down when the digest is due and back later: scheduled runs send the
digest exactly once, neither lost nor doubled, and doctor sees the outbox in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from tests.report_fixtures import build_store, write_config
from tests.smtp_server import refusing_port, smtp_server

pytestmark = pytest.mark.faults


def invoke(config: Path, data_dir: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(data_dir), *args],
        env={"HOTWATCH_CONFIG": ""},
    )


def test_smtp_down_when_the_digest_is_due_then_back_sends_it_once(tmp_path):
    data_dir = tmp_path / "data"
    build_store(data_dir)
    with refusing_port() as port:
        config = write_config(tmp_path / "hotwatch.toml", port=port)
        with config.open("a", encoding="utf-8") as toml:
            toml.write("\n[email.digest]\nhour = 0\n")  # due at every run
        down = invoke(config, data_dir, "run", "--no-crawl")
        waiting = invoke(config, data_dir, "doctor", "--json")
    assert down.exit_code == 1
    assert down.output.splitlines()[-1].startswith("Error: cannot reach SMTP server")
    assert [f["kind"] for f in json.loads(waiting.output)["findings"]].count("outbox") == 1

    with smtp_server(port=port) as (_, handler):
        back = invoke(config, data_dir, "run", "--no-crawl")
        again = invoke(config, data_dir, "run", "--no-crawl")
    assert back.exit_code == 0, back.output
    assert again.exit_code == 0, again.output
    digests = [r for r in handler.received if "日报" in str(r.message["Subject"])]
    assert len(digests) == 1
    assert not list((data_dir / "reports" / "outbox").glob("*.eml"))
