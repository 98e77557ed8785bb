"""``hotwatch serve`` as a real process under waitress (the default), gunicorn and
Werkzeug's development server: the API answers with the token, HTML and JSON come
gzip-compressed, static files are cached for a year under a versioned URL, every request
is in the access log, and SIGTERM stops the server (and gunicorn's workers) with exit
status 0, after the responses under way are sent.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotwatch import Hotwatch
from hotwatch.config import load_config
from tests.process_tree import descendants
from tests.store_fixtures import fill_store

TOKEN = "s3cret-token-for-the-server-0123456789"
ROOT = Path(__file__).resolve().parents[1]


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def try_get(self, path: str, **headers: str) -> int:
        """The status, or -1 when the server refused the connection (closed its port, or
        reset a connection still waiting to be accepted). A response cut short raises."""
        try:
            return self.get(path, **headers)[0]
        except (urllib.error.URLError, ConnectionRefusedError, ConnectionResetError):
            return -1


def start(data_dir: Path, tmp: Path, *extra: str) -> Served:
    """Start ``hotwatch serve --port 0``; its standard output (the address, then the
    access log) goes to a file, so a full pipe never stalls the server."""
    stamp = time.monotonic_ns()
    log, errors = tmp / f"serve-{stamp}.out", tmp / f"serve-{stamp}.err"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOTWATCH_")}
    environment["HOTWATCH_WEB_TOKEN"] = TOKEN
    process = subprocess.Popen(
        [sys.executable, "-m", "hotwatch", "--data-dir", str(data_dir), "serve", "--port", "0",
         *extra],
        stdout=log.open("w"), stderr=errors.open("w"), text=True, cwd=ROOT, env=environment,
    )
    deadline = time.monotonic() + 60
    while "serving on http://" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"hotwatch serve did not start: {errors.read_text()[-2000:]}")
        time.sleep(0.1)
    line = next(x for x in log.read_text().splitlines() if "serving on http://" in x)
    url = line.split("serving on ", 1)[1].split("/ ", 1)[0]
    return Served(process, url, log)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = fill_store(tmp_path_factory.mktemp("served") / "data")
    Hotwatch(load_config(None, data_dir=data, environ={})).rebuild_incidents()
    return data


SERVERS = {
    "waitress": ("--threads", "4"),
    "gunicorn": ("--server", "gunicorn", "--workers", "2", "--threads", "2"),
}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def served_by(
    request: pytest.FixtureRequest, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The server under test: each production server in turn."""
    served = start(data_dir, tmp_path_factory.mktemp(request.param), *SERVERS[request.param])
    try:
        yield served
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()


def test_the_api_answers_with_the_token(served_by, data_dir):
    assert served_by.get("/api/search")[0] == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    status, _, body = served_by.get("/api/incidents", **bearer)
    incidents = json.loads(body)["incidents"]
    assert status == 200 and incidents
    status, _, body = served_by.get(f"/api/incidents/{incidents[0]['id']}", **bearer)
    handling = json.loads(body)
    assert status == 200 and handling["status"] == "new" and handling["history"] == []
    # Several requests at once reach both workers without errors.
    codes = [served_by.get("/api/search?q=12345", **bearer)[0] for _ in range(8)]
    assert codes == [200] * 8


def test_html_and_json_are_gzipped_and_static_files_cached(served_by):
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "gzip"}
    status, answer, body = served_by.get("/search?q=12345", **headers)
    assert status == 200 and answer["Content-Encoding"] == "gzip"
    html = gzip.decompress(body).decode("utf-8")
    assert "新乡12345热线接线员骂人" in html
    status, answer, body = served_by.get("/api/search?q=12345", **headers)
    assert answer.get("Content-Encoding") == "gzip" and json.loads(gzip.decompress(body))["total"]
    plain = served_by.get("/api/search?q=12345", Authorization=f"Bearer {TOKEN}")
    assert "Content-Encoding" not in plain[1]

    stylesheet = html.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert stylesheet.startswith("/static/style.css?v=")
    status, answer, _ = served_by.get(stylesheet)
    assert status == 200 and "max-age=31536000" in answer["Cache-Control"]


def test_each_request_is_in_the_access_log(served_by):
    served_by.get("/api/search?q=access-log-probe", Authorization=f"Bearer {TOKEN}")
    deadline = time.monotonic() + 10
    while "access-log-probe" not in served_by.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    line = next(x for x in served_by.log.read_text().splitlines() if "access-log-probe" in x)
    assert '"GET /api/search?q=access-log-probe HTTP/1.1" 200' in line


def test_sigterm_stops_gunicorn_and_its_workers(data_dir, tmp_path):
    served = start(data_dir, tmp_path, "--server", "gunicorn", "--workers", "2")
    assert served.get("/api/search", Authorization=f"Bearer {TOKEN}")[0] == 200
    # The master forks its workers one by one, up to 0.1 s apart, after it announces
    # the port: the first may answer before the second exists.
    deadline = time.monotonic() + 30
    while len(workers := descendants(served.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    assert not descendants(served.process.pid) and not any(
        Path(f"/proc/{pid}").exists() and "hotwatch" in _cmdline(pid) for pid in workers
    )


def test_a_sigterm_before_a_gunicorn_workers_handlers_ends_that_worker():
    """The master holds SIGTERM across the fork; the worker, still with the master's
    handler, lets it through with the default action: it dies at once instead of the
    master's handler queueing it where the master never looks."""
    from hotwatch.web.production import STOPPING, _unblock_in_worker

    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # the master's: queue it
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        pid = os.fork()
        if pid == 0:  # the new worker, before init_signals
            try:
                os.kill(os.getpid(), signal.SIGTERM)  # a stop while it boots
                _unblock_in_worker(None, None)
            finally:
                os._exit(0)  # only reached if the signal was lost
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        signal.signal(signal.SIGTERM, previous)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM


def test_sigterm_sends_the_responses_under_way_then_stops_waitress(data_dir, tmp_path):
    served = start(data_dir, tmp_path)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    answers: list[int] = []

    def ask() -> None:
        answers.append(served.try_get("/search?q=12345", **bearer))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    served.process.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join()
    assert served.process.wait(timeout=30) == 0
    # Each request either was answered in full or found the port closed; none was cut.
    assert len(answers) == 6 and set(answers) <= {200, -1}, answers
    with pytest.raises(OSError):
        served.get("/api/search", **bearer)


def test_the_development_server_is_still_there_and_stops_on_sigterm(data_dir, tmp_path):
    served = start(data_dir, tmp_path, "--server", "werkzeug")
    status, _, body = served.get("/api/search?q=12345", Authorization=f"Bearer {TOKEN}")
    assert status == 200 and json.loads(body)["total"] >= 1
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0


def test_a_busy_port_is_one_line(data_dir, served_by):
    port = served_by.url.rsplit(":", 1)[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOTWATCH_")}
    result = subprocess.run(
        [sys.executable, "-m", "hotwatch", "--data-dir", str(data_dir), "serve", "--port", port],
        capture_output=True, text=True, cwd=ROOT, env=environment, timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot listen on 127.0.0.1:{port}")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""
