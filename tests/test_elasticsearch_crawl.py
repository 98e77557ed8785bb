"""Real crawls into Elasticsearch while the node is down, and while it is killed mid-crawl.

Each test runs its own single node (``scripts/elasticsearch.sh`` on free ports of this
suite's range, in a temporary directory) and the real ``hotwatch`` CLI in a child
process. Documents that could not be indexed wait in the spool and reach the node
after a restart with ``hotwatch index flush``: the counts must match the crawl exactly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.synthetic import synthetic_site
from tests.site_server import site_url  # noqa: F401 (a fixture)
from tests.test_elasticsearch_cluster import ScriptCluster, held_cluster, needs_java_and_maven

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

pytestmark = pytest.mark.elasticsearch

PUBLIC_SAMPLE_ARTICLES = 14
SYNTHETIC_ARTICLES = 400
CONFIG = """
[crawl]
revisit_hours = 24
download_timeout = 5
autothrottle = false
retry_times = 1

[index]
backend = "elasticsearch"
urls = ["{url}"]
index_prefix = "{prefix}"
timeout = 5

[[sources]]
name = "{source}"
type = "site"
start_urls = ["{start}"]
tier = 3
"""


@pytest.fixture
def node(tmp_path) -> Iterator[ScriptCluster]:
    """One node, started by the test when it wants it (``node.start()``)."""
    needs_java_and_maven()
    directory = Path(f"/tmp/hw-es-b-crawl-{uuid.uuid4().hex[:6]}")
    cluster = held_cluster(directory, 1)
    yield cluster
    cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


def write_config(tmp: Path, node: ScriptCluster, source: str, start: str) -> Path:
    path = tmp / "hotwatch.toml"
    prefix = f"hw-crawl-{uuid.uuid4().hex[:6]}"
    text = CONFIG.format(url=node.urls[0], prefix=prefix, source=source, start=start)
    path.write_text(text, encoding="utf-8")
    return path


def hotwatch(config: Path, *args: str) -> subprocess.Popen[str]:
    """The real CLI in a child process; the test's own config, not the environment's node."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("HOTWATCH_ES_", "HOTWATCH_INDEX"))
    }
    command = [sys.executable, "-m", "hotwatch", "--config", str(config)]
    command += ["--data-dir", str(config.parent / "data"), *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )


def finish(process: subprocess.Popen[str], timeout: float = 300) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    return stdout, stderr


def status(config: Path) -> dict:
    stdout, _ = finish(hotwatch(config, "index", "status", "--json"))
    return json.loads(stdout)


def test_a_crawl_while_the_node_is_down_spools_everything_and_flush_delivers_it(
    tmp_path,
    node,
    site_url,  # noqa: F811
):
    config = write_config(tmp_path, node, "fixture-site", f"{site_url}/news/index.html")
    stdout, stderr = finish(hotwatch(config, "crawl", "--json"))
    (summary,) = json.loads(stdout)["sources"]
    assert summary["spooled"] == PUBLIC_SAMPLE_ARTICLES
    assert summary["new"] == 0
    assert summary["messages"][0] == (
        f"Elasticsearch unreachable: {PUBLIC_SAMPLE_ARTICLES} document(s) kept in the spool; "
        "they are indexed on the next crawl or with `hotwatch index flush`"
    )
    assert status(config)["spooled"] == PUBLIC_SAMPLE_ARTICLES

    node.start(keep=True)
    flushed, _ = finish(hotwatch(config, "index", "flush"))
    assert flushed.startswith("flushed ")
    after = status(config)
    assert (after["spooled"], after["documents"]) == (0, PUBLIC_SAMPLE_ARTICLES)


def test_killing_the_node_mid_crawl_loses_nothing_after_restart_and_flush(tmp_path, node):
    with serve(synthetic_site(SYNTHETIC_ARTICLES)) as site:
        config = write_config(tmp_path, node, "synthetic", f"{site.url}/news/index.html")
        node.start(keep=True)
        crawl = hotwatch(config, "crawl", "--json")
        wait_for_documents(config, node, at_least=100, crawl=crawl)
        node.stop_node(1, kill=True)
        stdout, _ = finish(crawl)
    (summary,) = json.loads(stdout)["sources"]
    assert summary["new"] >= 100  # acknowledged before the kill
    assert summary["spooled"] > 0  # the rest after it
    crawled = summary["new"] + summary["spooled"]
    assert crawled == SYNTHETIC_ARTICLES

    node.start(keep=True)
    finish(hotwatch(config, "index", "flush"))
    after = status(config)
    assert (after["spooled"], after["documents"]) == (0, SYNTHETIC_ARTICLES)


def wait_for_documents(
    config: Path, node: ScriptCluster, *, at_least: int, crawl: subprocess.Popen[str]
) -> None:
    """Until the node holds ``at_least`` documents of this crawl (its index prefix)."""
    from elasticsearch import Elasticsearch

    prefix = config.read_text(encoding="utf-8").split('index_prefix = "')[1].split('"')[0]
    client = Elasticsearch(node.urls[0], request_timeout=10)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            assert crawl.poll() is None, "the crawl ended before the node was killed"
            if indexed(client, f"{prefix}documents") >= at_least:  # the alias
                return
            time.sleep(0.2)
    finally:
        client.close()
    raise AssertionError(f"fewer than {at_least} documents indexed in time")


def indexed(client: Elasticsearch, documents: str) -> int:
    """Documents searchable under ``documents``; 0 while its new shards are still starting.

    The crawl creates the index a moment before this poll can see it, and a count
    against a shard not yet started answers 503 (search_phase_execution_exception).
    """
    from elasticsearch import ApiError

    try:
        client.indices.refresh(index=documents, allow_no_indices=True, ignore_unavailable=True)
        answer = client.count(index=documents, allow_no_indices=True, ignore_unavailable=True)
    except ApiError as error:
        if error.meta.status == 503:
            return 0
        raise
    return answer["count"]
