"""Write cost of the SQLite store's search side: a crawl's batches into a store, per document.

Usage: python bench/search_writes.py [--against DIR] [--store DIR] [--against-store DIR]
                                     [--batches 20] [--batch 50] [--rounds 3]

Issue 20 is about crawl pace, and the crawl writes its documents in batches of
``HOTWATCH_STORE_BATCH`` (50). Each round writes ``--batches`` batches of new
``bench/search.py`` documents with ``upsert_many`` in a child process: into an empty
store and, with ``--store``, into a copy of that store (a ``bench/search.py`` store
with its search side built). With ``--against DIR`` the same rounds run with the code
of another checkout (``DIR`` on ``PYTHONPATH``; its store from ``--against-store``),
the two taking turns so that a busy machine slows them alike: run it against a tree
with the FTS5 search side to compare that with tantivy. Prints the median wall and
CPU (all threads) ms per document of each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHILD = """
import importlib.util, json, sys, time
from pathlib import Path
spec = importlib.util.spec_from_file_location("bench_search", sys.argv[1])
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
from index import open_store
store = open_store({"backend": "sqlite"}, sys.argv[2])
batches, size, seed = (int(a) for a in sys.argv[3:6])
docs = list(bench.documents(batches * size, seed=seed, site=f"writes-{seed}.test"))
walls, cpus = [], []
for start in range(0, len(docs), size):
    wall, cpu = time.perf_counter(), time.process_time()
    store.upsert_many(docs[start:start + size])
    walls.append(time.perf_counter() - wall)
    cpus.append(time.process_time() - cpu)
store.close()
print(json.dumps({"wall": walls, "cpu": cpus}))
"""


def copy_store(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.name.startswith("hotwatch."):
            copy = shutil.copytree if path.is_dir() else shutil.copyfile
            copy(path, target / path.name)


def write_round(code: Path, store: Path, batches: int, size: int, seed: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(HERE / "search.py"), str(store), str(batches),
         str(size), str(seed)],
        capture_output=True, text=True, cwd=code, env=env, check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--store", type=Path, help="a store to write into (copied first)")
    parser.add_argument("--against-store", type=Path, help="the store for --against's code")
    parser.add_argument("--batches", type=int, default=20, help="batches per round")
    parser.add_argument("--batch", type=int, default=50, help="documents per batch")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"this tree": (ROOT, args.store)}
    if args.against:
        trees["against"] = (args.against.resolve(), args.against_store or args.store)
    targets = ["empty"] + (["store"] if args.store else [])
    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for target in targets:
                for name, (code, store) in trees.items():
                    where = Path(tmp) / f"{name}-{target}-{round_}".replace(" ", "-")
                    if target == "store":
                        copy_store(store, where)
                    run = write_round(code, where, args.batches, args.batch, round_ + 1)
                    shutil.rmtree(where, ignore_errors=True)
                    got = results.setdefault((name, target), {"wall": [], "cpu": []})
                    got["wall"] += run["wall"]
                    got["cpu"] += run["cpu"]
    print(f"{'code':10} {'into':6} {'batches':>7} {'wall ms/doc':>11} {'CPU ms/doc':>10}")
    for (name, target), got in results.items():
        wall = statistics.median(got["wall"]) * 1000 / args.batch
        cpu = statistics.median(got["cpu"]) * 1000 / args.batch
        print(f"{name:10} {target:6} {len(got['wall']):7d} {wall:11.2f} {cpu:10.2f}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
