"""Delivery faults: the SMTP server down when the digest is due, the run killed while the
digest is being sent, and chat robots answering errors. Scheduled runs afterwards deliver
each message once: not lost, not doubled; doctor names what waits in the outbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from tests.fault_runs import ROOT, command
from tests.fault_table import record
from tests.report_fixtures import build_store, write_config
from tests.smtp_server import HoldingHandler, refusing_port, smtp_server

pytestmark = pytest.mark.faults


def invoke(config: Path, data_dir: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(config), "--data-dir", str(data_dir), *args],
        env={"HOTWATCH_CONFIG": ""},
    )


def digest_config(tmp_path: Path, port: int) -> Path:
    config = write_config(tmp_path / "hotwatch.toml", port=port)
    with config.open("a", encoding="utf-8") as toml:
        toml.write("\n[email.digest]\nhour = 0\n")  # due at every run
    return config


def digests(handler) -> list[str]:
    """The Message-ID of each digest the server took, in order."""
    return [str(r.message["Message-ID"]) for r in handler.received
            if "日报" in str(r.message["Subject"])]


def test_smtp_down_when_the_digest_is_due_then_back_sends_it_once(tmp_path):
    data_dir = tmp_path / "data"
    build_store(data_dir)
    with refusing_port() as port:
        config = digest_config(tmp_path, port)
        down = invoke(config, data_dir, "run", "--no-crawl")
        waiting = invoke(config, data_dir, "doctor", "--json")
    assert down.exit_code == 1
    assert down.output.splitlines()[-1].startswith("Error: cannot reach SMTP server")
    assert [f["kind"] for f in json.loads(waiting.output)["findings"]].count("outbox") == 1

    with smtp_server(port=port) as (_, handler):
        back = invoke(config, data_dir, "run", "--no-crawl")
        again = invoke(config, data_dir, "run", "--no-crawl")
    sent = digests(handler)
    record("SMTP down at digest time", messages_lost=int(not sent),
           messages_doubled=max(0, len(sent) - 1))
    assert back.exit_code == 0, back.output
    assert again.exit_code == 0, again.output
    assert len(sent) == 1
    assert not list((data_dir / "reports" / "outbox").glob("*.eml"))


def kill_while_sending(tmp_path: Path, handler: HoldingHandler, port: int) -> None:
    """Start a scheduled run and SIGKILL it while the server holds the digest's DATA."""
    log = (tmp_path / "killed-run.log").open("ab")
    environment = {**os.environ, "HOTWATCH_CONFIG": ""}
    run = subprocess.Popen(command(tmp_path, "run", "--no-crawl"), stdout=log, stderr=log,
                           cwd=ROOT, env=environment)
    try:
        assert handler.arrived.wait(120), (tmp_path / "killed-run.log").read_text()
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        handler.release.set()
        if run.poll() is None:
            run.kill()


# Taken: the server had taken the message when the run died, but the run never heard 250.
@pytest.mark.parametrize("taken", [False, True], ids=["before-accepted", "after-accepted"])
def test_a_run_killed_while_sending_the_digest_sends_it_once_after_restart(tmp_path, taken):
    data_dir = tmp_path / "data"
    build_store(data_dir)
    with smtp_server(handler=HoldingHandler(commit_first=taken)) as (server, handler):
        config = digest_config(tmp_path, server.port)
        kill_while_sending(tmp_path, handler, server.port)
        held = invoke(config, data_dir, "doctor", "--json")
        restarted = invoke(config, data_dir, "run", "--no-crawl")
        again = invoke(config, data_dir, "run", "--no-crawl")
    sent = digests(handler)
    distinct = set(sent)
    record("run SIGKILLed sending the digest", messages_lost=int(not distinct),
           messages_doubled=max(0, len(distinct) - 1))
    assert "outbox" in [f["kind"] for f in json.loads(held.output)["findings"]]
    assert restarted.exit_code == 0, restarted.output
    assert again.exit_code == 0, again.output
    assert len(distinct) == 1  # one message: a resend keeps the Message-ID
    assert len(sent) == (2 if taken else 1)  # the server took it twice only if the run died
    assert not list((data_dir / "reports" / "outbox").glob("*.eml"))
    after = json.loads(invoke(config, data_dir, "doctor", "--json").output)["findings"]
    assert "outbox" not in [f["kind"] for f in after]
