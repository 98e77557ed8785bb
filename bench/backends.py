"""SQLite against Elasticsearch on the same synthetic Chinese corpus: indexing, search, disk.

Usage: python bench/backends.py [--docs 100000] [--runs 30] [--es-url URL]

Generates the corpus of ``bench/search.py`` (deterministic documents of 300-800
characters over 90 days, with regions, hotlines, categories and scores) and loads it
into a fresh SQLite store and a fresh Elasticsearch index (one shard, no replica)
through the same ``Store.upsert_many`` in batches of ``--batch``. Then it runs the
typical PR queries of ``bench/search.py`` (filters, facets, sorts) on both and prints
one table: bulk indexing docs/s, search p50/p95 per query and overall, size on disk,
each with the ES/SQLite ratio measured in the same run.

Elasticsearch comes from ``--es-url`` or ``HOTWATCH_ES_URL``; without either the
script starts its own node with ``scripts/elasticsearch.sh`` (port ``--es-port``) and
stops it at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
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
QUERIES, documents, pad, percentiles = (
    _search.QUERIES,
    _search.documents,
    _search.pad,
    _search.percentiles,
)


@dataclass
class Measured:
    name: str
    docs_per_second: float = 0.0
    disk_mb: float = 0.0
    totals: dict[str, int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)


def load(store: Store, n: int, batch_size: int) -> float:
    """Upsert ``n`` documents in batches; documents per second."""
    batch = []
    started = time.perf_counter()
    for doc in documents(n):
        batch.append(doc)
        if len(batch) == batch_size:
            store.upsert_many(batch)
            batch = []
    store.upsert_many(batch)
    return n / (time.perf_counter() - started)


def time_queries(store: Store, runs: int, into: Measured) -> None:
    for name, query in QUERIES.items():
        into.totals[name] = store.search(query).total  # also the warm-up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            store.search(query)
            samples.append((time.perf_counter() - started) * 1000)
        into.latencies[name] = samples


def measure_sqlite(data_dir: Path, n: int, batch_size: int, runs: int) -> Measured:
    measured = Measured("sqlite")
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        measured.docs_per_second = load(store, n, batch_size)
        time_queries(store, runs, measured)
    finally:
        store.close()
    measured.disk_mb = sum(p.stat().st_size for p in data_dir.glob("hotwatch.db*")) / 1e6
    return measured


def measure_elasticsearch(url: str, data_dir: Path, n: int, batch_size: int, runs: int) -> Measured:
    from elasticsearch import Elasticsearch

    prefix = f"hw-bench-{uuid.uuid4().hex[:6]}"
    options = {"backend": "elasticsearch", "urls": [url], "index_prefix": prefix, "replicas": 0}
    measured = Measured("elasticsearch")
    client = Elasticsearch(url, request_timeout=120)
    store = open_store(options, data_dir)
    try:
        started = time.perf_counter()
        load(store, n, batch_size)
        client.indices.refresh(index=f"{prefix}*")  # searchable, as SQLite is after commit
        measured.docs_per_second = n / (time.perf_counter() - started)
        time_queries(store, runs, measured)
        client.indices.flush(index=f"{prefix}*")
        sizes = client.indices.stats(index=f"{prefix}*", metric="store")
        measured.disk_mb = sizes["_all"]["total"]["store"]["size_in_bytes"] / 1e6
    finally:
        store.close()
        client.indices.delete(index=f"{prefix}*", allow_no_indices=True)
        client.close()
    return measured


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, elasticsearch_url(args.es_url, args.es_port) as url:
        print(f"Elasticsearch at {url}; SQLite in {tmp}")
        sqlite = measure_sqlite(Path(tmp) / "sqlite", args.docs, args.batch, args.runs)
        es = measure_elasticsearch(url, Path(tmp) / "es", args.docs, args.batch, args.runs)
    print_table(sqlite, es, args.docs)


if __name__ == "__main__":
    main()
