"""``hotwatch trending`` runtime on a synthetic SQLite store, against a full-store read.

Usage: python bench/trending.py [--docs 100000] [--days 365] [--data-dir DIR]

Builds (or, with ``--data-dir``, reuses) a store of ``--docs`` generated articles
(the demo's synthetic news generator: hotline failures and ordinary local news,
titles and bodies) spread evenly over ``--days`` days up to now, with one
incident bursting in the last day. Then it times ``trending_report`` for each
window. The baseline, in the same run, is what a naive implementation pays
first: reading every stored document (``iter_documents()`` with no ``since``).
The ratio shows that only the window and its baseline are read and analysed.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from analysis.phrases import default_segmenter
from hotwatch.demo.synthetic import synthetic_article
from index import StoredDocument, open_store
from reports.trending import WINDOWS, trending_report

BATCH = 1000
BURST = ("新乡12345热线接线员忘挂电话骂人 当事市民讲述经过", 40)


def build(data_dir: Path, docs: int, days: int, now: datetime) -> None:
    rng = random.Random(0)
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        if store.stats().get("documents", 0) >= docs:
            return
        step = timedelta(days=days) / docs
        batch: list[StoredDocument] = []
        for n in range(docs):
            article = synthetic_article(rng, n)
            when = now - step * (docs - n)
            batch.append(_document(n, article.title, "".join(article.body), when))
            if len(batch) >= BATCH:
                store.upsert_many(batch)
                batch = []
        title, count = BURST
        for k in range(count):
            batch.append(_document(docs + k, title, title, now - timedelta(minutes=20 * k + 5)))
        store.upsert_many(batch)
    finally:
        store.close()


def _document(n: int, title: str, text: str, when: datetime) -> StoredDocument:
    return StoredDocument(
        url=f"https://bench.test/{n}.html", title=title, text=text, fetched_at=when,
        published_at=when, relevant=("12345" in title or n % 3 == 0),
    )


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="hotwatch-bench-trending-"))
    seconds, _ = timed(build, data_dir, args.docs, args.days, now)
    print(f"store: {args.docs} documents over {args.days} days in {data_dir} ({seconds:.1f}s)")
    seconds, _ = timed(default_segmenter)
    print(f"segmenter load: {seconds:.2f}s (once per process)")
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        baseline, count = timed(lambda: sum(1 for _ in store.iter_documents()))
        print(f"baseline: read all {count} documents: {baseline:.2f}s")
        for window in WINDOWS:
            seconds, report = timed(trending_report, store, window=window, top=10, now=now)
            top = report.terms[0].label if report.terms else "-"
            print(
                f"trending --window {window}: {seconds:.2f}s, {report.documents} relevant "
                f"documents analysed, ratio to baseline {seconds / baseline:.2f}, top term {top}"
            )
    finally:
        store.close()


if __name__ == "__main__":
    main()
