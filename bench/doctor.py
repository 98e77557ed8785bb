"""``hotwatch doctor`` on SQLite stores of 10k and 100k documents: a check of a healthy
store, a check of a damaged one, ``--repair``, and the check after it.

Damage, each kind at once: one document indexed twice, 100 documents missing from the
search index, 1,000 documents waiting for placement, 10 incident records miscounted.
The baseline, measured on the same store in the same run, is one read of every document
(``iter_documents``), the least any whole-store check costs; beside it, doctor on an
empty store (the command's start-up: Python, imports, configuration). The store is the synthetic
corpus of bench/clustering_corpus.py, placed in incidents as a crawl would.

    python bench/doctor.py [--sizes 10000,100000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tantivy

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import open_store  # noqa: E402
from index.incidents import update_incidents  # noqa: E402
from index.tantivy_index import ROW_COLUMNS, entry, schema  # noqa: E402

HERE = Path(__file__).resolve().parent


def _bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def build(directory: Path, size: int) -> float:
    """Load ``size`` documents and place them; returns the seconds it took."""
    corpus = _bench_module("clustering_corpus").corpus
    started = time.perf_counter()
    store = open_store({"backend": "sqlite"}, directory)
    try:
        docs = sorted(corpus(size, seed=11), key=lambda d: (d.published_at, d.url))
        for i in range(0, len(docs), 1000):
            store.upsert_many(docs[i : i + 1000])
        update_incidents(store)
    finally:
        store.close()
    return time.perf_counter() - started


def read_everything(directory: Path) -> float:
    store = open_store({"backend": "sqlite"}, directory)
    try:
        started = time.perf_counter()
        count = sum(1 for _ in store.iter_documents())
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    assert count > 0
    return elapsed


def damage(directory: Path) -> None:
    db = sqlite3.connect(directory / "hotwatch.db")
    rows = db.execute(
        f"SELECT {', '.join(ROW_COLUMNS)} FROM documents ORDER BY rowid LIMIT 101"
    ).fetchall()
    index = tantivy.Index(schema(), path=str(directory / "hotwatch.tantivy"))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(**entry(rows[0])))
    for row in rows[1:]:
        writer.delete_documents_by_term("rowid", row[0])
    writer.commit()
    writer.wait_merging_threads()
    db.execute("UPDATE documents SET incident_pending = 1 WHERE rowid IN "
               "(SELECT rowid FROM documents WHERE incident_id IS NOT NULL "
               "ORDER BY rowid DESC LIMIT 1000)")
    for incident_id, record in db.execute("SELECT id, record FROM incidents LIMIT 10").fetchall():
        data = json.loads(record)
        data["documents"] += 3
        db.execute("UPDATE incidents SET record = ? WHERE id = ?", (json.dumps(data), incident_id))
    db.commit()
    db.close()


def doctor(directory: Path, *args: str) -> tuple[float, int, dict[str, Any]]:
    """Seconds, exit code and JSON report of ``hotwatch doctor`` in a child process."""
    command = [sys.executable, "-m", "hotwatch", "--data-dir", str(directory), "doctor",
               "--json", *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "HOTWATCH_CONFIG": ""})
    elapsed = time.perf_counter() - started
    return elapsed, done.returncode, json.loads(done.stdout)


def measure(size: int, directory: Path) -> list[str]:
    saved, saved_index = directory / "base.db", directory / "base.tantivy"
    if saved.exists():
        for leftover in directory.glob("hotwatch.db*"):
            leftover.unlink()
        shutil.rmtree(directory / "hotwatch.tantivy", ignore_errors=True)
        shutil.copyfile(saved, directory / "hotwatch.db")
        shutil.copytree(saved_index, directory / "hotwatch.tantivy")
        built = float("nan")
    else:
        built = build(directory, size)
        db = sqlite3.connect(directory / "hotwatch.db")
        db.execute("VACUUM INTO ?", (str(saved),))
        db.close()
        shutil.copytree(directory / "hotwatch.tantivy", saved_index)
    scan = read_everything(directory)
    healthy, code, _ = doctor(directory)
    assert code == 0, "the built store is not consistent"
    damage(directory)
    damaged, code, found = doctor(directory)
    assert code == 1
    repaired, code, report = doctor(directory, "--repair")
    assert code == 0, report["remaining"]
    after, code, _ = doctor(directory)
    kinds = ",".join(sorted(f["kind"] for f in found["findings"]))
    return [f"{size:,}", f"{built:.0f}", f"{scan:.2f}", f"{healthy:.1f} ({healthy / scan:.0f}x)",
            f"{damaged:.1f}", f"{repaired:.1f}", f"{after:.1f}", "yes" if code == 0 else "NO",
            kinds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--data-dir", type=Path, help="keep each built store here, reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty:
        startup, _, _ = doctor(Path(empty))
    print(f"doctor on an empty store (start-up): {startup:.1f} s", flush=True)
    header = ["documents", "build s", "read all s", "check s (x read)", "damaged check s",
              "repair s", "check after s", "clean after", "found"]
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            directory = args.data_dir / f"doctor-{size}" if args.data_dir else Path(tmp)
            directory.mkdir(parents=True, exist_ok=True)
            rows.append(measure(size, directory))
            print(" | ".join(rows[-1]), flush=True)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
