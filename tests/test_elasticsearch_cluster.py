"""A 3-node cluster (one JVM per node, ``scripts/elasticsearch.sh``) losing nodes under load.

The test starts its own cluster on free ports in a temporary directory and stops it in
a finalizer, so it needs Java and Maven, not ``HOTWATCH_ES_URL``. The index has one
replica: with one node stopped, writes and searches keep going; every document the
store acknowledged is there at the end; documents spooled while the whole cluster
was down reach it when the store is next opened after the restart.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from index import SearchQuery, StoredDocument

pytestmark = pytest.mark.elasticsearch

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "elasticsearch.sh"
PORTS = range(9400, 9900)  # this suite's HTTP ports; transport ports are 100 above
BATCH = 50
START = datetime(2021, 5, 1, tzinfo=UTC)
EVERYTHING = SearchQuery(relevant_only=False, limit=1)
SEARCHES = (
    SearchQuery(text="12345 AND 打不通", relevant_only=False, facets=True),
    SearchQuery(text="接线员", sort="time", relevant_only=False),
)


class ScriptCluster:
    """``scripts/elasticsearch.sh`` for one run directory and port range."""

    def __init__(self, directory: Path, nodes: int, port: int) -> None:
        self.directory = directory
        self.nodes = nodes
        self.port = port
        self.held: list[socket.socket] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port + k}" for k in range(self.nodes)]

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["bash", str(SCRIPT), *args, "--dir", str(self.directory)],
            capture_output=True,
            text=True,
            timeout=400,
        )
        if result.returncode != 0:
            raise RuntimeError(f"elasticsearch.sh {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout.strip()

    def ports(self, k: int) -> list[int]:
        """Node ``k``'s HTTP and transport ports."""
        return [self.port + k - 1, self.port + 100 + k - 1]

    def hold_ports(self, *nodes: int) -> None:
        """Keep the nodes' ports (all by default) bound but not listening until they start:
        a connection is refused, as by a stopped node, and no other run's cluster picks
        them meanwhile (a test that started its node late lost its port to one)."""
        try:
            for k in nodes or range(1, self.nodes + 1):
                for port in self.ports(k):
                    held = socket.socket()
                    self.held.append(held)
                    held.bind(("127.0.0.1", port))
        except OSError:
            self.release_ports()
            raise

    def release_ports(self) -> None:
        for held in self.held:
            held.close()
        self.held = []

    def start(self, *, keep: bool = False) -> None:
        self.release_ports()
        options = ["--nodes", str(self.nodes), "--port", str(self.port)]
        self.run("start", *options, *(["--keep"] if keep else []))

    def stop(self) -> None:
        self.release_ports()
        self.run("stop")

    def stop_node(self, k: int, *, kill: bool = False) -> None:
        self.run("stop-node", str(k), *(["--kill"] if kill else []))

    def start_node(self, k: int) -> None:
        self.release_ports()
        self.run("start-node", str(k))


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_range(nodes: int, ports: range = PORTS) -> int:
    """A base port, at random, whose ``nodes`` HTTP and transport ports are all free.

    At random, not the first: runs of this suite on one machine each pick while another's
    node may still be starting (10-20 s before it binds), and the first free base was the
    same for all of them."""
    for base in random.sample(ports, len(ports)):
        wanted = [base + k for k in range(nodes)] + [base + 100 + k for k in range(nodes)]
        if base + nodes - 1 in ports and all(port_is_free(p) for p in wanted):
            return base
    raise RuntimeError(f"no {nodes} free ports in {ports.start}-{ports.stop - 1}")


def held_cluster(directory: Path, nodes: int) -> ScriptCluster:
    """A cluster not started yet, its ports free now and held until it starts."""
    for _ in range(10):
        cluster = ScriptCluster(directory, nodes, free_port_range(nodes))
        try:
            cluster.hold_ports()
        except OSError:  # taken since free_port_range looked: look again
            continue
        return cluster
    raise RuntimeError(f"no {nodes} free ports to hold in {PORTS.start}-{PORTS.stop - 1}")


def needs_java_and_maven() -> None:
    missing = [tool for tool in ("java", "javac", "mvn", "curl") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"scripts/elasticsearch.sh needs {', '.join(missing)}")


def script_cluster(directory: Path, nodes: int) -> ScriptCluster:
    """A started cluster; the caller stops it (a finalizer)."""
    needs_java_and_maven()
    cluster = ScriptCluster(directory, nodes, free_port_range(nodes))
    cluster.start()
    return cluster


def documents(first: int, count: int) -> list[StoredDocument]:
    kinds = ("接线员态度恶劣，出言辱骂", "热线一直打不通，无人接听", "部门之间互相推诿")
    return [
        StoredDocument(
            url=f"http://cluster.test/news/{i}.html",
            title=f"市民反映12345热线问题（{i}）",
            text=f"第{i}号报道：市民拨打12345热线时{kinds[i % 3]}。",
            fetched_at=START + timedelta(minutes=i),
            published_at=START + timedelta(minutes=i),
            source="cluster",
            relevant=i % 2 == 0,
            hotlines=["12345"],
        )
        for i in range(first, first + count)
    ]


class Recorder:
    """Which documents a store acknowledged and which it spooled."""

    def __init__(self) -> None:
        self.acknowledged: set[str] = set()
        self.spooled: set[str] = set()
        self.outcomes: Counter[str] = Counter()

    def write(self, store, docs: list[StoredDocument]) -> None:
        for doc, outcome in zip(docs, store.upsert_many(docs), strict=True):
            self.outcomes[outcome] += 1
            (self.spooled if outcome == "spooled" else self.acknowledged).add(doc.id)


def present(store, ids: set[str]) -> set[str]:
    return {doc.id for doc in store.iter_documents()} & ids


def open_cluster_store(cluster: ScriptCluster, data_dir: Path, prefix: str):
    from index.elasticsearch import ElasticsearchStore

    options = {
        "backend": "elasticsearch",
        "urls": cluster.urls,
        "index_prefix": prefix,
        "replicas": 1,
        "timeout": 10,
    }
    return ElasticsearchStore.from_options(options, data_dir=data_dir)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    directory = Path(f"/tmp/hw-es-b-cluster-{uuid.uuid4().hex[:6]}")
    request.addfinalizer(lambda: shutil.rmtree(directory, ignore_errors=True))
    started = script_cluster(directory, 3)
    request.addfinalizer(started.stop)
    return started


def test_three_nodes_lose_one_node_then_the_whole_cluster_and_lose_no_document(cluster, tmp_path):
    prefix = f"hw-cluster-{uuid.uuid4().hex[:6]}"
    record = Recorder()
    store = open_cluster_store(cluster, tmp_path, prefix)
    for first in range(0, 200, BATCH):
        record.write(store, documents(first, BATCH))
    assert record.outcomes == Counter(new=200)

    # A node crashes while a writer keeps indexing (one replica: its shards are promoted).
    two_batches_written = threading.Event()

    def keep_indexing() -> None:
        for n, first in enumerate(range(200, 600, BATCH)):
            record.write(store, documents(first, BATCH))
            if n == 1:
                two_batches_written.set()

    writer = threading.Thread(target=keep_indexing)
    writer.start()
    assert two_batches_written.wait(120)
    cluster.stop_node(2, kill=True)
    writer.join(300)
    assert not writer.is_alive()
    assert sum(record.outcomes.values()) == 600
    assert present(store, record.acknowledged) == record.acknowledged

    # Node 2 rejoins; then node 1 stops cleanly while a reader keeps searching.
    cluster.start_node(2)
    wait_for_green(store)
    expected_total = store.search(EVERYTHING).total
    searched: list[int] = []
    failures: list[str] = []
    searching = threading.Event()
    done = threading.Event()

    def keep_searching() -> None:
        while not done.is_set():
            try:
                searched.append(store.search(EVERYTHING).total)
                for query in SEARCHES:
                    store.search(query)
            except Exception as error:  # any failed search fails the test
                failures.append(f"{type(error).__name__}: {error}")
            searching.set()

    reader = threading.Thread(target=keep_searching)
    reader.start()
    assert searching.wait(60)
    before_stop = len(searched)
    cluster.stop_node(1)
    time.sleep(5)
    done.set()
    reader.join(120)
    assert failures == []
    assert len(searched) > before_stop + 3  # it kept answering after the node went
    assert set(searched) == {expected_total}
    assert present(store, record.acknowledged) == record.acknowledged

    # The whole cluster goes down: writes spool, the store says so, nothing is lost.
    cluster.stop()
    outage = documents(600, 120)
    record.write(store, outage[:60])
    record.write(store, outage[60:])
    assert {doc.id for doc in outage} <= record.spooled
    assert store.spooled() == len(record.spooled)
    store.close()

    cluster.start(keep=True)
    reopened = open_cluster_store(cluster, tmp_path, prefix)  # flushes the spool
    try:
        assert reopened.spooled() == 0
        everything = {doc.id for doc in documents(0, 720)}
        assert present(reopened, everything) == everything
        assert reopened.stats()["documents"] == 720
        assert reopened.search(EVERYTHING).total == 720
    finally:
        reopened.close()


def wait_for_green(store, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if store.health().get("status") == "green":
            return
        time.sleep(1)
    raise AssertionError(f"cluster not green after {seconds:.0f}s: {store.health()}")
