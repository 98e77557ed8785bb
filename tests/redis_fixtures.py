"""A real Redis for the frontier tests: ``HOTWATCH_REDIS_URL`` (CI starts one with
``scripts/redis.sh``), else this session starts Debian's ``redis-server`` on a free port."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("HOTWATCH_REDIS_URL"):
        yield os.environ["HOTWATCH_REDIS_URL"]
        return
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    environment = {**os.environ, "HOTWATCH_REDIS_DIR": str(tmp_path_factory.mktemp("redis"))}
    script = str(ROOT / "scripts" / "redis.sh")
    started = subprocess.run(
        ["bash", script, "start", "--port", "0"],
        env=environment, capture_output=True, text=True, check=True,
    )
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", script, "stop"], env=environment, check=False)


@pytest.fixture
def queue_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own, deleted afterwards."""
    prefix = f"hwtest-{uuid.uuid4().hex[:8]}"
    yield prefix
    server = Redis.from_url(redis_url)
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)
