"""Search latency on a synthetic SQLite store: FTS5 bigram search against a LIKE scan baseline.

Usage: python bench/search.py [--docs 100000] [--data-dir DIR]

Builds (or reuses) a store of generated Chinese documents spread over 90 days
with regions, hotlines, categories and negativity, then runs typical PR queries
with filters, facets and sorts many times and prints p50/p95 per query. The
baseline, in the same run, answers the same terms with ``LIKE '%term%'`` counts over
the same documents table (a reported total needs the whole scan).
Target: p95 under 50 ms for typical filtered queries.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from index import SearchQuery, StoredDocument, open_store

PLACES = (
    ("河南省", "新乡市"),
    ("河南省", "郑州市"),
    ("广东省", "广州市"),
    ("江苏省", "南京市"),
    ("浙江省", "杭州市"),
    ("四川省", "成都市"),
    ("湖北省", "武汉市"),
    ("山东省", "济南市"),
)
FAILURES = (
    ("rudeness", "接线员态度恶劣，出言辱骂，骂人不要脸"),
    ("unreachable", "热线一直打不通，无人接听，占线"),
    ("buck_passing", "几个部门互相推诿，踢皮球"),
    ("fake_closure", "问题没有解决却显示已办结"),
)
FILLER = (
    "当地居民表示希望有关部门重视群众诉求。",
    "记者在现场看到周边道路车辆往来频繁。",
    "业内人士认为提升基层治理水平需要久久为功。",
    "社区工作人员介绍辖区内老年人占比较高。",
    "有关负责人表示将进一步完善工作机制。",
    "天气转暖以来市民出行明显增多。",
)
START = datetime(2021, 1, 1, tzinfo=UTC)
QUERIES = {
    "骂人": SearchQuery(text="骂人"),
    "12345 AND 打不通 +region": SearchQuery(text="12345 AND 打不通", regions=("河南省",)),
    '"态度恶劣" +hotline +dates': SearchQuery(
        text='"态度恶劣"',
        hotlines=("12345",),
        date_from=date(2021, 2, 1),
        date_to=date(2021, 2, 28),
    ),
    "推诿 OR 踢皮球 sort=time": SearchQuery(text="推诿 OR 踢皮球", sort="time"),
    "12345 +facets": SearchQuery(text="12345", regions=("新乡市",), facets=True),
    "filters only, all docs": SearchQuery(relevant_only=False, categories=("unreachable",)),
}
LIKE_TERMS = {
    "骂人": ["骂人"],
    "12345 AND 打不通 +region": ["12345", "打不通"],
    '"态度恶劣" +hotline +dates': ["态度恶劣"],
    "推诿 OR 踢皮球 sort=time": ["推诿"],
    "12345 +facets": ["12345"],
    "filters only, all docs": ["打不通"],
}


def documents(n: int, seed: int = 0):
    rng = random.Random(seed)
    for i in range(n):
        province, city = rng.choice(PLACES)
        failing = rng.random() < 0.4
        category, detail = rng.choice(FAILURES)
        lead = f"{city}市民反映拨打12345热线时{detail}。" if failing else f"{city}举办社区活动。"
        text = lead + "".join(rng.choice(FILLER) for _ in range(rng.randint(8, 30)))
        yield StoredDocument(
            url=f"http://bench.test/{i}",
            title=lead[:30],
            text=text,
            fetched_at=START + timedelta(days=90),
            published_at=START + timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
            source=rng.choice(("rss", "site", "search")),
            relevant=failing,
            relevance=0.8 if failing else 0.1,
            negativity=rng.random(),
            hotlines=["12345"] if failing else [],
            regions=[{"province": province, "city": city}],
            categories=[category] if failing else [],
        )


def build(data_dir: Path, n: int) -> None:
    store = open_store({"backend": "sqlite"}, data_dir)
    if store.stats()["documents"] >= n:
        store.close()
        return
    batch, started = [], time.perf_counter()
    for doc in documents(n):
        batch.append(doc)
        if len(batch) == 1000:
            store.upsert_many(batch)
            batch = []
    store.upsert_many(batch)
    elapsed = time.perf_counter() - started
    store.close()
    size = sum(p.stat().st_size for p in data_dir.glob("hotwatch.db*")) / 1e6
    print(
        f"built {n} documents in {elapsed:.1f}s ({n / elapsed:.0f} docs/s), {size:.0f} MB on disk"
    )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        build(data_dir, args.docs)
        store = open_store({"backend": "sqlite"}, data_dir)
        print(f"{'query':30} {'hits':>7} {'p50 ms':>7} {'p95 ms':>7} {'LIKE p50':>9} {'ratio':>6}")
        all_ours = []
        for name, query in QUERIES.items():
            ours = []
            for _ in range(args.runs):
                started = time.perf_counter()
                total = store.search(query).total
                ours.append((time.perf_counter() - started) * 1000)
            like = []
            for _ in range(max(3, args.runs // 10)):
                started = time.perf_counter()
                clause = " AND ".join("text LIKE ?" for _ in LIKE_TERMS[name])
                store.db.execute(
                    f"SELECT count(*) FROM documents WHERE {clause}",
                    [f"%{t}%" for t in LIKE_TERMS[name]],
                ).fetchall()
                like.append((time.perf_counter() - started) * 1000)
            p50, p95 = percentiles(ours)
            all_ours += ours
            like50 = statistics.median(like)
            print(f"{name:30} {total:7d} {p50:7.1f} {p95:7.1f} {like50:9.1f} {like50 / p50:6.1f}x")
        p50, p95 = percentiles(all_ours)
        print(f"{'all queries':30} {'':7} {p50:7.1f} {p95:7.1f}")
        store.close()


if __name__ == "__main__":
    main()
