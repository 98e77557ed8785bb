"""``hotwatch`` commands as real child processes for the frontier tests, and waiting on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def hotwatch(config: Path, data_dir: str, *args: str) -> subprocess.Popen[str]:
    """``python -m hotwatch --config CONFIG --data-dir CONFIG_DIR/DATA_DIR ARGS`` with the
    environment's store and queue settings removed, so the configuration file decides."""
    environment = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("HOTWATCH_ES_", "HOTWATCH_INDEX", "HOTWATCH_QUEUE"))
    }
    command = [sys.executable, "-m", "hotwatch", "--config", str(config)]
    command += ["--data-dir", str(config.parent / data_dir), *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )


def finish(process: subprocess.Popen[str], timeout: float = 400) -> dict[str, Any]:
    """Wait for a ``--json`` command; it must succeed without a traceback."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    return json.loads(stdout)


def wait_until(condition: Callable[[], Any], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
