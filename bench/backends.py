"""SQLite against Elasticsearch on the same synthetic Chinese corpus: indexing, search, disk.

Usage: python bench/backends.py [--docs 100000] [--runs 30] [--es-url URL] [--data-dir DIR]

Generates the corpus of ``bench/search.py`` (deterministic documents of 300-800
characters over 90 days, with regions, hotlines, categories and scores) and loads it
into a fresh SQLite store and a fresh Elasticsearch index (one shard, no replica)
through the same ``Store.upsert_many`` in batches of ``--batch``. Then it runs the
typical PR queries of ``bench/search.py`` (filters, facets, sorts) on both and prints
one table: bulk indexing docs/s, search p50/p95 per query and overall, size on disk,
each with the ES/SQLite ratio measured in the same run.

With ``--data-dir`` both stores are kept and reused: the SQLite store is
``bench/search.py``'s (``python bench/search.py --docs 1000000 --data-dir DIR`` builds
the same one; a reused store may hold that script's few hundred ingest documents
too), the Elasticsearch index keeps the prefix ``hw-bench-<docs>-`` on the node, and
each build's rate is kept in ``DIR`` (``bench-build.json``, ``es-build-<docs>.json``) and
printed again on reuse. A build stopped half-way resumes where it stopped.

Elasticsearch comes from ``--es-url`` or ``HOTWATCH_ES_URL``; without either the
script starts its own node with ``scripts/elasticsearch.sh`` (port ``--es-port``) and
stops it at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from index import Store, open_store  # noqa: E402

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "scripts" / "elasticsearch.sh"


def _bench_module(name: str) -> Any:
    """A sibling bench script, loaded by path: with bench/ on sys.path, bench/analysis.py
    would hide the ``analysis`` package."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_search = _bench_module("search")
QUERIES, documents, pad, percentiles, build_sqlite = (
    _search.QUERIES,
    _search.documents,
    _search.pad,
    _search.percentiles,
    _search.build,
)


@dataclass
class Measured:
    name: str
    docs_per_second: float = 0.0
    disk_mb: float = 0.0
    totals: dict[str, int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)


def load(store: Store, n: int, batch_size: int, skip: int = 0) -> None:
    """Upsert documents ``skip``..``n`` in batches."""
    batch = []
    for doc in itertools.islice(documents(n), skip, None):
        batch.append(doc)
        if len(batch) == batch_size:
            store.upsert_many(batch)
            batch = []
    store.upsert_many(batch)


def time_queries(store: Store, runs: int, into: Measured) -> None:
    for name, query in QUERIES.items():
        into.totals[name] = store.search(query).total  # also the warm-up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            store.search(query)
            samples.append((time.perf_counter() - started) * 1000)
        into.latencies[name] = samples


def measure_sqlite(data_dir: Path, n: int, batch_size: int, runs: int, *, kept: bool) -> Measured:
    measured = Measured("sqlite")
    if kept:
        build_sqlite(data_dir, n)  # bench/search.py's store: built once, then reused
        built = json.loads((data_dir / "bench-build.json").read_text())
        measured.docs_per_second = built["docs_per_s"]
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        if not kept:
            started = time.perf_counter()
            load(store, n, batch_size)
            measured.docs_per_second = n / (time.perf_counter() - started)
        time_queries(store, runs, measured)
    finally:
        store.close()
    files = [*data_dir.glob("hotwatch.db*"), *data_dir.glob("hotwatch.tantivy/*")]
    measured.disk_mb = sum(p.stat().st_size for p in files if p.is_file()) / 1e6  # + its search
    return measured


def es_options(url: str, n: int, kept: bool) -> dict[str, Any]:
    prefix = f"hw-bench-{n}-" if kept else f"hw-bench-{uuid.uuid4().hex[:6]}-"
    return {"backend": "elasticsearch", "urls": [url], "index_prefix": prefix, "replicas": 0}


def load_elasticsearch(
    options: dict[str, Any], data_dir: Path, n: int, batch_size: int, *, kept: bool
) -> float:
    """Load the index (when ``kept``: reuse it, or resume a stopped load); docs/s."""
    from elasticsearch import Elasticsearch

    prefix = options["index_prefix"]
    record = data_dir / f"es-build-{n}.json"
    client = Elasticsearch(options["urls"], request_timeout=300)
    store = open_store(options, data_dir / "es")
    try:
        have = client.count(index=f"{prefix}documents")["count"] if kept else 0
        if have >= n and record.exists():
            print(f"Elasticsearch: reusing {have} documents in {prefix}documents")
            return float(json.loads(record.read_text())["docs_per_s"])
        skip = have - have % batch_size  # a batch cut short is written again, unchanged
        started = time.perf_counter()
        load(store, n, batch_size, skip)
        client.indices.refresh(index=f"{prefix}*")  # searchable, as SQLite is after commit
        seconds = time.perf_counter() - started
        rate = (n - skip) / seconds
        if kept:
            built = {"docs": n - skip, "after": skip, "seconds": seconds, "docs_per_s": rate}
            record.write_text(json.dumps(built))
        print(f"Elasticsearch: loaded {n - skip} documents in {seconds:.0f} s ({rate:.0f}/s)")
        return rate
    finally:
        store.close()
        client.close()


def measure_elasticsearch(
    options: dict[str, Any], data_dir: Path, runs: int, rate: float, *, kept: bool
) -> Measured:
    from elasticsearch import Elasticsearch

    prefix = options["index_prefix"]
    measured = Measured("elasticsearch", docs_per_second=rate)
    client = Elasticsearch(options["urls"], request_timeout=300)
    store = open_store(options, data_dir / "es")
    try:
        time_queries(store, runs, measured)
        client.indices.flush(index=f"{prefix}*")
        sizes = client.indices.stats(index=f"{prefix}*", metric="store")
        measured.disk_mb = sizes["_all"]["total"]["store"]["size_in_bytes"] / 1e6
    finally:
        store.close()
        if not kept:
            client.indices.delete(index=f"{prefix}*", allow_no_indices=True)
        client.close()
    return measured


def describe_node(url: str) -> str:
    """The node's version and heap, for the printed run conditions."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url)
    try:
        version = client.info()["version"]["number"]
        nodes = client.nodes.stats(metric="jvm")["nodes"].values()
        heap = sum(node["jvm"]["mem"]["heap_max_in_bytes"] for node in nodes) / 2**30
        return f"Elasticsearch {version}, {len(nodes)} node(s), heap {heap:.1f} GiB"
    finally:
        client.close()


@contextmanager
def elasticsearch_url(url: str | None, port: int) -> Iterator[str]:
    """The given node, or one started (and stopped) here with scripts/elasticsearch.sh."""
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="hw-es-bench-") as directory:
        run = ["bash", str(SCRIPT)]
        where = ["--dir", directory]
        started = subprocess.run(
            [*run, "start", "--port", str(port), "--heap", "1g", *where],
            check=True,
            capture_output=True,
            text=True,
        )
        try:
            yield started.stdout.strip().splitlines()[-1]
        finally:
            subprocess.run([*run, "stop", *where], check=False, capture_output=True)


def print_table(sqlite: Measured, es: Measured, n: int) -> None:
    header = (
        f"{'':40} {'SQLite':>9} {'ES':>9} {'ES/SQLite':>9}   {'hits SQLite':>11} {'hits ES':>8}"
    )
    rule = "-" * len(header)
    print(f"\n{n} documents")
    print(header)
    print(rule)
    ratio_row("bulk indexing docs/s", sqlite.docs_per_second, es.docs_per_second, "{:9.0f}")
    ratio_row("size on disk MB", sqlite.disk_mb, es.disk_mb, "{:9.1f}")
    print(rule)
    for name in QUERIES:
        for label, cut in (("p50", 0), ("p95", 1)):
            ours = percentiles(sqlite.latencies[name])[cut]
            theirs = percentiles(es.latencies[name])[cut]
            hits = f"   {sqlite.totals[name]:11d} {es.totals[name]:8d}" if cut == 0 else ""
            ratio_row(f"{name} {label} ms", ours, theirs, "{:9.1f}", hits)
    print(rule)
    everything = {
        m.name: [s for samples in m.latencies.values() for s in samples] for m in (sqlite, es)
    }
    for label, cut in (("p50", 0), ("p95", 1)):
        ours = percentiles(everything["sqlite"])[cut]
        theirs = percentiles(everything["elasticsearch"])[cut]
        ratio_row(f"all queries {label} ms", ours, theirs, "{:9.1f}")
    mean = {name: statistics.fmean(samples) for name, samples in everything.items()}
    ratio_row("all queries mean ms", mean["sqlite"], mean["elasticsearch"], "{:9.1f}")


def ratio_row(label: str, sqlite: float, es: float, number: str, extra: str = "") -> None:
    ratio = f"{es / sqlite:8.2f}x" if sqlite else f"{'-':>9}"
    print(f"{pad(label, 40)} {number.format(sqlite)} {number.format(es)} {ratio}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents to store")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query and backend")
    parser.add_argument("--batch", type=int, default=1000, help="documents per upsert_many")
    parser.add_argument("--es-url", default=os.environ.get("HOTWATCH_ES_URL", "").split(",")[0])
    parser.add_argument("--es-port", type=int, default=9290, help="port of a node started here")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep and reuse both stores: bench/search.py's SQLite store here, the ES index "
        "as hw-bench-<docs>-*",
    )
    args = parser.parse_args()
    kept = args.data_dir is not None
    with tempfile.TemporaryDirectory() as tmp, elasticsearch_url(args.es_url, args.es_port) as url:
        data_dir = args.data_dir or Path(tmp)
        print(f"{describe_node(url)} at {url}; SQLite in {data_dir}")
        print(f"load average {os.getloadavg()[0]:.1f} at the start")
        options = es_options(url, args.docs, kept)
        rate = load_elasticsearch(options, data_dir, args.docs, args.batch, kept=kept)
        sqlite_dir = data_dir if kept else data_dir / "sqlite"
        sqlite = measure_sqlite(sqlite_dir, args.docs, args.batch, args.runs, kept=kept)
        es = measure_elasticsearch(options, data_dir, args.runs, rate, kept=kept)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print_table(sqlite, es, args.docs)


if __name__ == "__main__":
    main()
