"""Web page latency on a large synthetic store, beside the raw store call it wraps.

Usage: python bench/web.py [--docs 100000] [--data-dir DIR] [--rounds 20] [--only NAME]

Builds (or reuses, when ``--data-dir`` already holds enough documents) a SQLite
store of synthetic Chinese news about hotline failures, in batches of 1,000, with
incidents over some of them. Then, for typical searches with filters, sorting and
facets, it times ``GET /search?...`` through Flask's test client and the
``store.search`` call the page makes (same ``SearchQuery``), and prints p50/p95 of
both and the web overhead (page p50 / store p50).

"cold" pages compute facet counts (the app's facet cache is cleared before each request)
and are compared with ``store.search(facets=True)``; "next page" requests are page 2
of the same search, where the app reuses the facet counts it cached for a minute,
compared with ``store.search(facets=False)`` for page 2. The 今日, incident and CSV
pages are timed too, for information.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from werkzeug.datastructures import MultiDict

from hotwatch.config import load_config
from hotwatch.web import create_app
from hotwatch.web.params import parse_search
from index import IncidentRecord, Store, StoredDocument, open_store
from index.incidents import META_ID, META_KEY

logger = logging.getLogger("bench.web")

BATCH = 1000
END = datetime(2021, 4, 30, 4, 0, tzinfo=UTC)
DAYS = 90
REGIONS = [
    {"province": "河南省", "city": "新乡市"}, {"province": "河南省", "city": "郑州市"},
    {"province": "广东省", "city": "广州市"}, {"province": "广东省", "city": "深圳市"},
    {"province": "江苏省", "city": "南京市"}, {"province": "浙江省", "city": "杭州市"},
    {"province": "山东省", "city": "济南市"}, {"province": "四川省", "city": "成都市"},
    {"province": "湖北省", "city": "武汉市"}, {"province": "陕西省", "city": "西安市"},
]
OUTLETS = [("人民网", 1), ("新华网", 1), ("河南日报", 2), ("南方日报", 2), ("澎湃新闻", 3),
           ("新浪新闻", 3), ("网易新闻", 3), ("某自媒体", 4), ("大河报", 2), ("头条号", 4)]
PROBLEMS = [
    ("rudeness", "接线员态度恶劣，对市民骂人", "辱骂"),
    ("unreachable", "电话一直打不通，无人接听", "打不通"),
    ("buck_passing", "工单被多个部门推诿扯皮", "推诿"),
    ("fake_closure", "问题没解决工单却被虚假办结", "办结"),
    ("privacy_leak", "投诉人信息被泄露给被投诉方", "泄露"),
    ("no_resolution", "反映多次问题仍未解决", "未解决"),
]
FILLER = ["社区举办文艺汇演", "城市道路维修通知", "春季招聘会开幕", "图书馆延长开放时间",
          "新能源公交线路开通", "小区垃圾分类宣传"]
SEARCHES = [
    ("recent relevant, facets", "sort=time"),
    ("term", "q=12345"),
    ("term + region", "q=12345&region=河南省"),
    ("boolean + dates", "q=(12345 OR 市长热线) AND (打不通 OR 推诿)&from=2021-04-01&to=2021-04-30"),
    ("phrase NOT, negative", 'q="态度恶劣" NOT 小说&neg_min=0.6&sort=negativity'),
    ("category + city, page 3", "q=热线&category=rudeness&region=新乡&page=3"),
    ("all documents", "q=通知&all=1"),
]


def synthetic_documents(count: int, seed: int = 7) -> Iterator[StoredDocument]:
    """``count`` documents over ``DAYS`` days; about 70% relevant, some in incidents."""
    rng = random.Random(seed)
    for n in range(count):
        when = END - timedelta(seconds=rng.randrange(DAYS * 86400))
        outlet, tier = rng.choice(OUTLETS)
        region = rng.choice(REGIONS)
        if rng.random() < 0.7:
            category, problem, word = rng.choice(PROBLEMS)
            hotline = rng.choice(["12345", "12345", "12345", "市长热线"])
            title = f"{region['city']}{hotline}热线{word}引关注（{n}）"
            text = (
                f"{when:%m月%d日}，{region['city']}市民拨打{hotline}热线反映小区供暖问题，{problem}。"
                f"记者从{region['province']}有关部门了解到，相关情况正在核实。第{n}号报道。"
            )
            if rng.random() < 0.05:
                text += "当地发布情况通报，涉事人员已停职，并向市民致歉。"
            yield StoredDocument(
                url=f"https://news{n % 50}.test/{n}.html", title=title, text=text * 3,
                fetched_at=when, published_at=when, outlet=outlet, source=f"src{n % 12}",
                domain=f"news{n % 50}.test", tier=tier, relevant=True,
                relevance=round(rng.uniform(0.5, 1), 3), negativity=round(rng.uniform(0.2, 1), 3),
                hotlines=["12345"], regions=[region], categories=[category],
                incident_id=f"inc-{n % 2000}" if rng.random() < 0.3 else None,
            )
        else:
            title = f"{rng.choice(FILLER)}（{n}）"
            yield StoredDocument(
                url=f"https://news{n % 50}.test/{n}.html", title=title,
                text=f"{title}。通知：市民可关注官方渠道了解详情。" * 4, fetched_at=when,
                published_at=when, outlet=outlet, source=f"src{n % 12}",
                domain=f"news{n % 50}.test", tier=tier, negativity=round(rng.uniform(0, 0.6), 3),
            )


def synthetic_incidents(store: object, count: int = 2000) -> list[IncidentRecord]:
    """One record per synthetic incident id (counts are rough; the pages only read them)."""
    rng = random.Random(11)
    records = []
    for n in range(count):
        first = END - timedelta(days=rng.randrange(DAYS), hours=rng.randrange(24))
        last = min(END, first + timedelta(days=rng.randrange(1, 6)))
        days = (last.date() - first.date()).days + 1
        daily = {(first.date() + timedelta(days=d)).isoformat(): rng.randrange(1, 9)
                 for d in range(days)}
        level = rng.choice(["blue", "blue", "yellow", "orange", "red"])
        records.append(IncidentRecord(
            id=f"inc-{n}", title=f"热线事件{n}", first_document_id="0" * 16,
            first_url=f"https://news.test/inc-{n}.html", first_source="src0",
            first_outlet="人民网", first_seen=first, last_seen=last,
            documents=sum(daily.values()), sources=rng.randrange(1, 12), daily=daily,
            regions=[rng.choice(REGIONS)], hotlines=["12345"], categories=["rudeness"],
            negativity=round(rng.uniform(0.4, 1), 2), level=level,
            score={"blue": 1, "yellow": 4, "orange": 7, "red": 10}[level],
            reasons=["3 reports from 3 sources (+1)"],
        ))
    return records


def build_store(data_dir: Path, docs: int) -> None:
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        stats = store.stats()
        have = stats["documents"]
        if have and not all(str(name).startswith("src") for name in stats["sources"]):
            raise SystemExit(f"{data_dir} holds a store that bench/web.py did not build")
        if have >= docs:
            logger.info("reusing %s: %d documents", data_dir, have)
            place_pending(store)
            return
        started = time.perf_counter()
        batch: list[StoredDocument] = []
        for n, doc in enumerate(synthetic_documents(docs), 1):
            batch.append(doc)
            if len(batch) == BATCH:
                store.upsert_many(batch)
                batch.clear()
                if n % 10_000 == 0:
                    logger.info("  %d documents (%.0f s)", n, time.perf_counter() - started)
        if batch:
            store.upsert_many(batch)
        store.replace_incidents(synthetic_incidents(store))
        place_pending(store)
        logger.info("built %d documents in %.0f s", docs, time.perf_counter() - started)
    finally:
        store.close()


def place_pending(store: Store) -> None:
    """Mark every document as placed in its synthetic incident (or none), and the store
    as placed, as the incident step after each crawl leaves a real store. Without this,
    the first crawl into the store (bench/web_load.py) found it never placed and rebuilt
    every incident of 100k documents (minutes) before it finished. The synthetic
    incidents keep no placement state, so new reports start incidents of their own."""
    pending = [(doc.id, doc.incident_id) for doc in store.iter_documents(pending=True)]
    started = time.perf_counter()
    for doc_id, incident_id in pending:
        store.set_incident(doc_id, incident_id)
    if not store.incident_states([META_KEY]):
        store.write_incident_states(
            {META_ID: ([META_KEY], {"id": META_ID, "now": END.isoformat()})}
        )
    if pending:
        logger.info("placed %d pending documents in %.0f s", len(pending),
                    time.perf_counter() - started)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(function: Callable[[], object], rounds: int) -> list[float]:
    function()  # warm up
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--only", action="append", default=[],
        help="Time only searches whose name contains this (repeatable).",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="hotwatch-bench-web-"))
    build_store(data_dir, args.docs)
    config = load_config(None, data_dir=data_dir, environ={})
    app = create_app(config)
    client = app.test_client()
    pool = app.extensions["hotwatch_pool"]
    store = open_store(config.index, data_dir)
    logger.info("store: %s", store.stats()["documents"])

    print(f"{'search':34} {'total':>7} {'page p50':>9} {'p95':>7} {'store p50':>10} {'p95':>7}"
          f" {'overhead':>8}")
    ratios: dict[str, list[float]] = {"cold": [], "next page": []}
    searches = [(n, q) for n, q in SEARCHES if not args.only or any(o in n for o in args.only)]
    for name, query in searches:
        for kind in ratios:
            url = "/search?" + query + ("&page=2" if kind == "next page" else "")
            pairs = [tuple(p.split("=", 1)) for p in url.split("?", 1)[1].split("&")]
            params = parse_search(MultiDict(pairs))
            search_query = params.query(facets=kind == "cold")

            def page(url: str = url, cold: bool = kind == "cold") -> None:
                if cold:
                    pool.clear_caches(incidents=False)
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            web = percentiles(timed(page, args.rounds))
            raw = percentiles(timed(lambda q=search_query: store.search(q), args.rounds))
            total = store.search(search_query).total
            ratios[kind].append(web[0] / raw[0])
            label = f"{name} ({kind})"
            print(f"{label:34} {total:>7} {web[0]:>7.1f}ms {web[1]:>5.1f}ms {raw[0]:>8.1f}ms"
                  f" {raw[1]:>5.1f}ms {web[0] / raw[0]:>7.2f}x", flush=True)
    for kind, values in ratios.items():
        if not values:
            continue
        print(f"web overhead, {kind} (page p50 / store p50): median "
              f"{statistics.median(values):.2f}x, max {max(values):.2f}x")

    others = [
        ("今日 /", f"/?date={date(2021, 4, 29).isoformat()}"),
        ("事件 /incidents", "/incidents"),
        ("事件页 /incidents/inc-7", "/incidents/inc-7"),
        ("文档页 /documents/<id>", f"/documents/{next(synthetic_documents(1)).id}"),
        ("CSV /search.csv (10k max)", "/search.csv?q=12345&region=河南省"),
    ]
    for name, url in others:
        def get(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            response.get_data()

        samples = timed(get, max(3, args.rounds // 4))
        p50, p95 = percentiles(samples)
        print(f"{name:34} {'':>7} {p50:>7.1f}ms {p95:>5.1f}ms", flush=True)
    store.close()


if __name__ == "__main__":
    main()
