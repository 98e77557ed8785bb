"""Incident clustering at scale: assign_incidents time and memory, incident update per crawl.

Usage: python bench/clustering.py [--sizes 10000,30000,100000] [--store-sizes 10000,100000]
                                  [--crawl 100] [--backend sqlite|elasticsearch] [--check]
                                  [--minhash-docs 20000] [--data-dir DIR]
                                  [--no-memory] [--no-assign] [--no-store]

Generates a synthetic Chinese corpus shaped like real coverage: most reports are
singletons (one citizen, one failure, one street), some events get a wave of
near-duplicate reposts (junk appended, "转发微博" posts pointing at the original)
and rewrites/follow-ups naming the same people and places a few days later.

Part 1 times ``assign_incidents`` at each size (and, unless ``--no-memory``, its
peak allocation under tracemalloc in a second pass) and prints time per document
relative to the smallest size: near-linear growth keeps that ratio near 1.

Part 2 compares our MinHash signatures and LSH bands with datasketch's (if installed).

Part 3 loads each ``--store-sizes`` count of documents into a fresh store (SQLite,
or Elasticsearch at ``--es-url``), rebuilds the incidents (wall clock and CPU; the
baseline: what every update did before incidents were kept in the store), adds the
``--crawl`` newest documents and times the incremental ``update_incidents`` (wall
clock, and this process's CPU: on a shared machine the wall clock waits for the CPU
too); ``--check`` rebuilds again and compares the ids with the incremental ones.
Every size runs by the same clock: the store is brought up to date an hour after its
newest document (untimed), and the timed update runs an hour after the crawl's newest,
so each refreshes the incidents of its own last day, whatever the corpus's span.
``--data-dir`` keeps each size's built store (SQLite files; Elasticsearch: read-only
indices cloned for each run) so a 100k or 1M store is loaded and placed once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from clustering_corpus import corpus, features  # bench/ is the script's directory
from elasticsearch import Elasticsearch, NotFoundError

from analysis.incidents import NEAR_DUPLICATE, assign_incidents
from analysis.incidents.minhash import PERMUTATIONS, band_keys, minhash, shingles
from index import Store, StoredDocument, open_store
from index.incidents import rebuild_incidents, update_incidents


def bench_assign(sizes: list[int], memory: bool) -> None:
    print("assign_incidents (in memory)")
    print(
        f"{'docs':>8} {'incidents':>9} {'seconds':>8} {'µs/doc':>8} {'vs smallest':>11}"
        f" {'peak MiB':>9}"
    )
    base = None
    for size in sizes:
        docs = [features(d) for d in corpus(size)]
        started = time.perf_counter()
        ids = assign_incidents(docs)
        seconds = time.perf_counter() - started
        per_doc = seconds / size * 1e6
        base = base or per_doc
        peak = "-"
        if memory:
            tracemalloc.start()
            assign_incidents(docs)
            peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f}"
            tracemalloc.stop()
        incidents = len(set(ids) - {None})
        print(
            f"{size:>8} {incidents:>9} {seconds:>8.2f} {per_doc:>8.1f}"
            f" {per_doc / base:>10.2f}x {peak:>9}"
        )


def bench_update(
    store_sizes: list[int],
    crawl: int,
    *,
    backend: str,
    es_url: str | None,
    check: bool,
    data_dir: Path | None = None,
) -> None:
    """Incident update after a crawl of ``crawl`` newest documents, at each store size.

    The baseline, measured on the same store in the same run, is the full rebuild
    (what every update did before incidents were kept in the store). With ``data_dir``
    each size's store is built once and reused by later runs: SQLite keeps ``loaded.db``
    (documents only) and ``base.db`` (incidents placed) with their build times;
    Elasticsearch keeps the built indices (prefix ``bench-clustering-base-<size>-``,
    read-only) and each run works in a clone of them.
    """
    print(f"\nincident update after a crawl of {crawl} new documents ({backend})")
    print(
        f"{'store docs':>10} {'load s':>8} {'rebuild s':>10} {'CPU s':>7} {'update s':>9} "
        f"{'CPU s':>6} "
        f"{'vs rebuild':>10} {'vs smallest':>11} {'same as rebuild':>15} {'load avg':>8}"
    )
    smallest = None
    for size in store_sizes:
        docs = sorted(corpus(size + crawl, seed=11), key=lambda d: (d.published_at, d.url))
        old, new = docs[:size], docs[size:]  # a crawl brings the newest reports
        with tempfile.TemporaryDirectory() as tmp:
            directory = data_dir / f"incidents-{size}" if data_dir else Path(tmp)
            if backend == "sqlite":
                saved = _restore(directory) if data_dir else {}
                store: Store = open_store({}, directory)
            else:
                saved, store = _es_open(directory, es_url, size, keep=data_dir is not None)
            try:
                if "load" in saved:
                    loaded = saved["load"]
                else:
                    started = time.perf_counter()
                    for i in range(0, len(old), 1000):
                        store.upsert_many(old[i : i + 1000])
                    loaded = time.perf_counter() - started
                    if data_dir and backend == "sqlite":
                        _save(store, directory, "loaded.db", {"load": loaded})
                if "rebuild" in saved:
                    rebuilt, rebuilt_cpu = saved["rebuild"], saved.get("rebuild_cpu")
                else:
                    started, rebuilt_cpu = time.perf_counter(), time.process_time()
                    rebuild_incidents(store, now=_after(old))
                    rebuilt = time.perf_counter() - started
                    rebuilt_cpu = time.process_time() - rebuilt_cpu
                    times = {"load": loaded, "rebuild": rebuilt, "rebuild_cpu": rebuilt_cpu}
                    if data_dir and backend == "sqlite":
                        _save(store, directory, "base.db", times)
                    elif data_dir:
                        store = _es_keep(store, directory, times)
                # A kept store may have been placed at another moment: its last update
                # is made an hour after its newest document, as a fresh one's rebuild.
                update_incidents(store, now=_after(old))
                store.upsert_many(new)
                started, cpu = time.perf_counter(), time.process_time()
                update_incidents(store, now=_after(new))
                updated = time.perf_counter() - started
                cpu = time.process_time() - cpu  # this process only (not Elasticsearch's)
                same = "-"
                if check:
                    incremental = _incident_ids(store)
                    rebuild_incidents(store, now=_after(new))
                    same = str(_incident_ids(store) == incremental)
            finally:
                _drop(store)
        smallest = smallest or updated
        print(
            f"{size:>10} {loaded:>8.1f} {rebuilt:>10.2f} {_seconds(rebuilt_cpu):>7} "
            f"{updated:>9.2f} {cpu:>6.2f} "
            f"{rebuilt / updated:>9.0f}x {updated / smallest:>10.2f}x {same:>15}"
            f" {os.getloadavg()[0]:>8.1f}"
        )


LAG = timedelta(hours=1)  # from a crawl's newest document to the update after it


def _after(docs: list[StoredDocument]) -> datetime:
    """The moment of the update after these documents were written: an hour after the
    newest, at every store size (a fixed moment would be reached by the largest corpus
    only, which spans ten years, and refresh its incidents of the day alone)."""
    return max(d.published_at for d in docs if d.published_at) + LAG


def _seconds(value: float | None) -> str:
    """A CPU time kept by an older run may be missing."""
    return "-" if value is None else f"{value:.1f}"


def _save(store: Store, directory: Path, name: str, times: dict[str, float]) -> None:
    """Keep a copy of the store as ``name`` (``loaded.db``: documents only; ``base.db``:
    with incidents) beside its build times."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
    shutil.copyfile(directory / "hotwatch.db", directory / name)  # faster than VACUUM at 1M
    (directory / f"{name}.json").write_text(json.dumps(times))


def _restore(directory: Path) -> dict[str, float]:
    """The saved store's build times, with the store copied back from ``base.db`` (built
    incidents) or else ``loaded.db`` (documents only); none saved: empty."""
    for name in ("base.db", "loaded.db"):
        if (directory / name).exists() and (directory / f"{name}.json").exists():
            for leftover in directory.glob("hotwatch.db*"):
                leftover.unlink()
            shutil.copyfile(directory / name, directory / "hotwatch.db")
            os.sync()  # the copy's writes are not left to slow down the update timed next
            return json.loads((directory / f"{name}.json").read_text())
    return {}


def _es_open(
    directory: Path, es_url: str | None, size: int, *, keep: bool
) -> tuple[dict[str, float], Store]:
    """A store of its own for this run; with ``keep``, a copy of the kept store of this
    size (``_es_keep``) when there is one, else the kept store's prefix to build it in."""
    prefix = f"bench-clustering-{time.time_ns()}-"
    if not keep:
        return {}, _es_store(directory, es_url, prefix)
    base = f"bench-clustering-base-{size}-"
    kept = directory / "es-base.json"
    if kept.exists() and _es_clone(es_url, base, prefix):
        return json.loads(kept.read_text()), _es_store(directory, es_url, prefix)
    return {}, _es_store(directory, es_url, base)


def _es_store(directory: Path, es_url: str | None, prefix: str) -> Store:
    options = {"backend": "elasticsearch", "urls": [es_url], "index_prefix": prefix}
    return open_store({**options, "replicas": 0}, directory)


def _es_keep(store: Store, directory: Path, times: dict[str, float]) -> Store:
    """Keep the built store's indices (read-only from now on) with its build times, and
    go on in a copy of them, so later runs skip the load and the rebuild."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "es-base.json").write_text(json.dumps(times))
    base, url = store.prefix, store.urls[0]  # type: ignore[attr-defined]
    store.close()
    prefix = f"bench-clustering-{time.time_ns()}-"
    if not _es_clone(url, base, prefix):
        raise SystemExit(f"cannot copy the kept indices {base}*")
    return _es_store(directory, url, prefix)


def _es_clone(es_url: str | None, base: str, prefix: str) -> bool:
    """Clone the kept indices (made read-only, as cloning needs) under ``prefix``: hard
    links of their segments, seconds even at 1M documents. False when none is kept."""
    client = Elasticsearch([es_url or ""], request_timeout=600)
    try:
        indices = client.indices.get_alias(name=f"{base}*")
    except NotFoundError:
        return False
    for physical, info in indices.items():
        client.indices.put_settings(index=physical, settings={"index.blocks.write": True})
        for alias in info["aliases"]:
            name = prefix + alias.removeprefix(base)
            client.indices.clone(
                index=physical,
                target=f"{name}-v1",
                settings={"index.blocks.write": False},
                aliases={name: {}},
                wait_for_active_shards="1",
            )
    client.close()
    return bool(indices)


def _drop(store: Store) -> None:
    if store.backend == "elasticsearch":
        store.client.indices.delete(index=f"{store.prefix}*")  # type: ignore[attr-defined]
    store.close()


def bench_minhash(count: int) -> None:
    """Signatures of the same texts: ours (numpy, 32 permutations) vs datasketch's MinHash."""
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("\ndatasketch not installed (pip install datasketch): comparison skipped")
        return
    texts = [d.title + d.text for d in corpus(count, seed=5)]
    started = time.perf_counter()
    ours = [minhash(text) for text in texts]
    our_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = []
    for text in texts:
        sketch = MinHash(num_perm=PERMUTATIONS)
        sketch.update_batch([shingle.encode() for shingle in shingles(text)])
        theirs.append(sketch)
    their_seconds = time.perf_counter() - started
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=PERMUTATIONS)
    for n, sketch in enumerate(theirs):
        lsh.query(sketch)
        lsh.insert(str(n), sketch)
    their_lsh = time.perf_counter() - started
    started = time.perf_counter()
    buckets: dict[str, list[int]] = {}
    for n, signature in enumerate(ours):
        keys = band_keys(signature)
        {i for key in keys for i in buckets.get(key, ())}
        for key in keys:
            buckets.setdefault(key, []).append(n)
    our_lsh = time.perf_counter() - started
    print(f"\nMinHash of {count} documents ({PERMUTATIONS} permutations, in memory)")
    print(
        f"  signatures: ours {our_seconds:.2f} s, datasketch {their_seconds:.2f} s "
        f"({their_seconds / our_seconds:.1f}x ours)"
    )
    print(
        f"  LSH query+insert: ours {our_lsh:.2f} s, datasketch {their_lsh:.2f} s "
        f"({their_lsh / our_lsh:.1f}x ours)"
    )


def _incident_ids(store: object) -> dict[str, str | None]:
    return {d.id: d.incident_id for d in store.iter_documents()}  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--store-sizes", default="10000,100000")
    parser.add_argument("--crawl", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "elasticsearch"), default="sqlite")
    parser.add_argument("--es-url", default=os.environ.get("HOTWATCH_ES_URL"))
    parser.add_argument("--check", action="store_true", help="rebuild again, compare ids")
    parser.add_argument(
        "--data-dir", type=Path, help="keep built stores (SQLite files; ES: kept indices) here"
    )
    parser.add_argument("--minhash-docs", type=int, default=20_000)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-assign", action="store_true")
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args()
    if not args.no_assign:
        bench_assign([int(s) for s in args.sizes.split(",")], memory=not args.no_memory)
    if args.minhash_docs:
        bench_minhash(args.minhash_docs)
    if not args.no_store:
        sizes = [int(s) for s in args.store_sizes.split(",")]
        bench_update(
            sizes,
            args.crawl,
            backend=args.backend,
            es_url=args.es_url,
            check=args.check,
            data_dir=args.data_dir,
        )


if __name__ == "__main__":
    main()
