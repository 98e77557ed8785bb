"""Candidate search engine side by side: tantivy against the SQLite store, same queries, same run.

This measured tantivy against the SQLite store's FTS5 search before tantivy became
that store's search side (schema 8); run with today's code, both columns are tantivy.

Usage: python bench/search_tantivy.py --data-dir DIR [--runs 40]

Issue 13 asks for embedded search under 50 ms p95 with facets at 100k documents and
150 ms at 1M. SQLite FTS5 scores every match with bm25 and looks every match up to
filter and count it, so its cost grows with the matches (a term in 44% of the
documents). tantivy (Rust, official Python bindings) has top-k pruning for BM25 and
columnar fast fields for filters, sorts and terms aggregations. This script indexes
the documents of a ``bench/search.py`` store (build that first, ``--data-dir`` the
same directory) into ``DIR/tantivy`` with the same pre-tokenised bigram terms the
SQLite and Elasticsearch backends use, then times ``bench/search.py``'s queries on
both: the total, a page of 20 (the page's documents read from SQLite with snippets,
as a real search result needs) and, with ``+facets``, the five facets. It prints
p50/p95 per query for each and whether the totals agree. tantivy's BM25 sums per
field, FTS5's bm25 weights the columns' counts before saturating them, so relevance
pages may differ in order; ``page overlap`` says how many of SQLite's 20 tantivy also
returned.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import tantivy

# bench/ on sys.path would hide the ``analysis`` package behind bench/analysis_*.py's
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from analysis.rules import And, Node, Not, Or, Term  # noqa: E402
from index import SearchQuery, open_store  # noqa: E402
from index.records import FACET_SIZE, FACETS  # noqa: E402
from index.snippets import make_snippet  # noqa: E402
from index.sqlite_query import day_start_ts, parse_query  # noqa: E402
from index.tokens import index_text, query_terms  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "bench_search", Path(__file__).with_name("search.py")
)
assert _spec is not None and _spec.loader is not None
_search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_search)
QUERIES, pad, percentiles, time_ours = (
    _search.QUERIES,
    _search.pad,
    _search.percentiles,
    _search.time_ours,
)

TITLE_BOOST = 4.0  # as the SQLite store's bm25 column weight
TAG_FIELDS = ("hotline", "province", "city", "county", "category", "plan")
WRITER_HEAP = 200_000_000


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for field in ("title", "body"):
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="position")
    builder.add_integer_field("relevant", indexed=True, fast=True)
    builder.add_integer_field("date_ts", indexed=True, fast=True)
    builder.add_float_field("negativity", indexed=True, fast=True)
    builder.add_float_field("relevance", fast=True)
    for field in ("source", *TAG_FIELDS):
        builder.add_text_field(field, tokenizer_name="raw", fast=True)
    return builder.build()


def build(data_dir: Path) -> tantivy.Index:
    """The tantivy index of the store's documents, built once and reused."""
    where = data_dir / "tantivy"
    built = where / "built.json"
    if built.exists():
        how = json.loads(built.read_text())
        print(f"reusing tantivy index of {how['docs']} documents ({how['docs_per_s']:.0f} docs/s)")
        return tantivy.Index(schema(), path=str(where))
    where.mkdir(exist_ok=True)
    index = tantivy.Index(schema(), path=str(where))
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)  # a shared machine
    store = open_store({"backend": "sqlite"}, data_dir)
    started, count = time.perf_counter(), 0
    try:
        for doc in store.iter_documents():
            date = doc.published_at or doc.fetched_at
            fields: dict[str, Any] = {
                "id": doc.id,
                "title": index_text(doc.title),
                "body": index_text(doc.text),
                "relevant": int(doc.relevant),
                "date_ts": int(date.timestamp()),
                "negativity": doc.negativity,
                "relevance": doc.relevance,
                "source": doc.source or "",
                "hotline": list(doc.hotlines),
                "category": list(doc.categories),
                "plan": list(doc.plans),
            }
            for kind in ("province", "city", "county"):
                fields[kind] = [r[kind] for r in doc.regions if r.get(kind)]
            writer.add_document(tantivy.Document(**fields))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
    finally:
        store.close()
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in where.iterdir()) / 1e6
    built.write_text(json.dumps({"docs": count, "docs_per_s": count / elapsed, "mb": size}))
    print(f"indexed {count} documents in tantivy in {elapsed:.0f} s, {size:.0f} MB")
    index.reload()
    return index


class Translator:
    """bench/search.py's queries as tantivy queries (the SQLite store's semantics)."""

    def __init__(self, index: tantivy.Index) -> None:
        self.schema = index.schema
        self.index = index

    def query(self, query: SearchQuery) -> tantivy.Query:
        rule = parse_query(query.text)
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if rule.root is not None:
            clauses.append((tantivy.Occur.Must, self.node(rule.root)))
        for condition in self.filters(query):
            # filters do not score (as a SQL condition beside FTS5's match)
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(condition, 0.0)))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def node(self, node: Node) -> tantivy.Query:
        if isinstance(node, Term):
            terms, prefix = query_terms(node.text)
            if prefix:
                raise ValueError("one-character prefix terms are not in the bench queries")
            return tantivy.Query.boolean_query(
                [
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.boost_query(self.phrase("title", terms), TITLE_BOOST),
                    ),
                    (tantivy.Occur.Should, self.phrase("body", terms)),
                ]
            )
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self.node(node.child)),
                ]
            )
        occur = tantivy.Occur.Must if isinstance(node, And) else tantivy.Occur.Should
        assert isinstance(node, (And, Or))
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.MustNot, self.node(c.child))
                if isinstance(c, Not) and isinstance(node, And)
                else (occur, self.node(c))
                for c in node.children
            ]
        )

    def phrase(self, field: str, terms: list[str]) -> tantivy.Query:
        if len(terms) == 1:
            return tantivy.Query.term_query(self.schema, field, terms[0], index_option="freq")
        return tantivy.Query.phrase_query(self.schema, field, terms)

    def filters(self, query: SearchQuery) -> list[tantivy.Query]:
        out = []
        if query.relevant_only:
            out.append(tantivy.Query.term_query(self.schema, "relevant", 1))
        if query.date_from or query.date_to:
            low = day_start_ts(query.date_from) if query.date_from else -(2**62)
            high = day_start_ts(query.date_to) + 86_399 if query.date_to else 2**62
            out.append(
                tantivy.Query.range_query(
                    self.schema, "date_ts", tantivy.FieldType.Integer, low, high
                )
            )
        for field, values in (
            ("hotline", query.hotlines),
            ("category", query.categories),
            ("plan", query.plans),
            ("source", query.sources),
        ):
            if values:
                out.append(tantivy.Query.term_set_query(self.schema, field, list(values)))
        if query.regions:
            out.append(
                tantivy.Query.boolean_query(
                    [
                        (
                            tantivy.Occur.Should,
                            tantivy.Query.term_set_query(self.schema, kind, list(query.regions)),
                        )
                        for kind in ("province", "city", "county")
                    ]
                )
            )
        return out


def facet_aggregation() -> dict[str, Any]:
    return {facet: {"terms": {"field": facet, "size": FACET_SIZE}} for facet in FACETS}


def search_tantivy(
    index: tantivy.Index, store: Any, translator: Translator, query: SearchQuery
) -> tuple[int, list[str]]:
    """The total and the page's document ids, the page read from SQLite with snippets."""
    searcher = index.searcher()
    compiled = translator.query(query)
    if query.sort == "time":
        result = searcher.search(compiled, limit=query.limit, order_by_field="date_ts")
    elif query.sort == "negativity":
        result = searcher.search(compiled, limit=query.limit, order_by_field="negativity")
    elif not query.text:  # no text to score: the most relevant first, as on SQLite
        result = searcher.search(compiled, limit=query.limit, order_by_field="relevance")
    else:
        result = searcher.search(compiled, limit=query.limit)
    ids = [searcher.doc(address)["id"][0] for _, address in result.hits]
    terms = parse_query(query.text).terms()
    for doc_id in ids:
        doc = store.get(doc_id)
        make_snippet(doc.text or doc.title, terms)
    if query.facets:
        searcher.aggregate(compiled, facet_aggregation())
    return result.count, ids


def run(data_dir: Path, runs: int) -> None:
    index = build(data_dir)
    index.reload()
    translator = Translator(index)
    store: Any = open_store({"backend": "sqlite"}, data_dir)
    print(
        f"load average {os.getloadavg()[0]:.1f}; {index.searcher().num_docs} documents in tantivy"
    )
    header = (
        f"{'query':34} {'hits SQLite':>11} {'tantivy':>8} {'SQLite p50':>10} {'p95':>7} "
        f"{'tantivy p50':>11} {'p95':>7} {'page overlap':>12}"
    )
    print(header)
    print("-" * len(header))
    p95s: dict[str, list[float]] = {"SQLite": [], "tantivy": []}
    try:
        for name, query in QUERIES.items():
            total, ours, _ = time_ours(store, query, runs)
            sqlite_page = [hit.document.id for hit in store.search(query).hits]
            count, ids = search_tantivy(index, store, translator, query)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                search_tantivy(index, store, translator, query)
                samples.append((time.perf_counter() - started) * 1000)
            s50, s95 = percentiles(ours)
            t50, t95 = percentiles(samples)
            p95s["SQLite"].append(s95)
            p95s["tantivy"].append(t95)
            overlap = len(set(sqlite_page) & set(ids))
            print(
                pad(name, 34),
                f"{total:11d} {count:8d} {s50:10.1f} {s95:7.1f} {t50:11.1f} {t95:7.1f} "
                f"{overlap:9d}/{len(sqlite_page)}",
            )
    finally:
        store.close()
    for engine, values in p95s.items():
        worst, middle = max(values), statistics.median(values)
        print(f"{engine}: worst query p95 {worst:.1f} ms, median of the p95s {middle:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a bench/search.py store")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per query")
    args = parser.parse_args()
    run(args.data_dir, args.runs)


if __name__ == "__main__":
    main()
