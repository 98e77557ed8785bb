"""The SQLite store's search side: a tantivy index kept beside the SQLite file.

tantivy (Rust, official Python bindings) ranks with BM25 and top-k pruning and keeps
the filter, sort and facet columns as fast fields, so a search costs little more for
a term in half the documents than for a rare one (issue 13: FTS5 scored, looked up and
counted every match). SQLite stays the document store: a document is found here by
its SQLite row id and read from SQLite for the page. Writing is the caller's to
serialise (``sqlite_search``: under SQLite's write lock, one tantivy writer at a time
across processes); this module only knows the index.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from index.errors import StoreUnavailable
from index.records import FACET_SIZE, FACETS, SearchQuery
from index.sqlite_query import REGION_KINDS
from index.tantivy_query import TEXT_FIELDS, Translator, scored
from index.tokens import index_text

logger = logging.getLogger(__name__)

TAG_FIELDS = {"hotline": "hotlines", "category": "categories", "plan": "plans"}
# One thread and tantivy's smallest arena for a crawl's batches (the machine runs the
# crawl, the web page and analysis beside it; 64 MB added 30 MB to a crawl's peak), a
# larger one for a rebuild, which flushes a segment each time the arena fills.
WRITER_HEAP = 15_000_000
REBUILD_HEAP = 64_000_000
WRITER_RETRY = 0.02  # seconds between tries for the writer lock another process holds
# Every bucket is counted, then the largest kept, so ties order by value exactly as
# the SQLite and Elasticsearch answers do (a few hundred cities, sources: cheap).
ALL_BUCKETS = 10_000
# The SQLite columns a search document is built from, in this order.
ROW_COLUMNS = (
    "rowid title text relevant date_ts relevance negativity source hotlines regions "
    "categories plans"
).split()


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("rowid", indexed=True, fast=True)
    # What the document was built from, to tell an entry out of date (``hotwatch doctor``).
    builder.add_integer_field("stamp", fast=True)
    for field in TEXT_FIELDS:
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="position")
    builder.add_integer_field("relevant", indexed=True, fast=True)
    builder.add_integer_field("date_ts", indexed=True, fast=True)
    builder.add_float_field("negativity", indexed=True, fast=True)
    builder.add_float_field("relevance", fast=True)
    for field in ("source", *REGION_KINDS, *TAG_FIELDS):
        builder.add_text_field(field, tokenizer_name="raw", fast=True)
    return builder.build()


@dataclass
class Found:
    """A search's answer by row id: the total, the page (row id, score) and the facets."""

    total: int
    page: list[tuple[int, float]]
    facets: dict[str, list[tuple[str, int]]]


class SearchIndex:
    """The tantivy index at ``path`` (created empty when missing: ``created``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = schema()
        try:
            path.mkdir(parents=True, exist_ok=True)
            self.created = not (path / "meta.json").exists()
            self.index = tantivy.Index(self.schema, path=str(path))
        except (OSError, ValueError) as error:
            raise StoreUnavailable(f"cannot open search index {path}: {error}") from error

    # -- writing -----------------------------------------------------------------------

    def open_writer(
        self, patience: float, *, heap: int = WRITER_HEAP
    ) -> tantivy.IndexWriter | None:
        """The index's one writer (across processes), waiting up to ``patience`` seconds
        while another holds it; None if it stays busy."""
        deadline = time.monotonic() + patience
        while True:
            try:
                return self.index.writer(heap_size=heap, num_threads=1)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise StoreUnavailable(
                        f"cannot write search index {self.path}: {error}"
                    ) from error
                if time.monotonic() >= deadline:
                    return None
                time.sleep(WRITER_RETRY)

    def replace(
        self, writer: tantivy.IndexWriter, rows: Iterable[tuple[Any, ...]], removed: Iterable[int]
    ) -> None:
        """Replace the entries of these documents (``ROW_COLUMNS`` rows) and drop those of
        ``removed`` row ids, in one commit: an entry is never there twice or half."""
        try:
            for rowid in removed:
                writer.delete_documents_by_term("rowid", rowid)
            for row in rows:
                writer.delete_documents_by_term("rowid", row[0])
                writer.add_document(tantivy.Document(**entry(row)))
            writer.commit()
        except ValueError as error:
            raise StoreUnavailable(f"cannot write search index {self.path}: {error}") from error

    @staticmethod
    def clear(writer: tantivy.IndexWriter) -> None:
        writer.delete_all_documents()
        writer.commit()

    def reload(self) -> None:
        self.index.reload()

    # -- reading -------------------------------------------------------------------

    def search(
        self, query: SearchQuery, root: Any, incident_rowids: list[int] | None
    ) -> Found:
        searcher = self.index.searcher()
        translator = Translator(self.schema, searcher)
        compiled = translator.query(root, translator.filters(query, incident_rowids))
        text_scores = scored(root)
        order = {"time": "date_ts", "negativity": "negativity"}.get(query.sort)
        if order is None and not text_scores:
            order = "relevance"  # nothing to score: the most relevant first
        found = searcher.search(  # tantivy refuses a limit of 0: count with a page of 1
            compiled, limit=max(query.limit, 1), offset=query.offset, order_by_field=order
        )
        addresses = [address for _, address in found.hits][: query.limit]
        rowids = searcher.fast_field_values("rowid", addresses)
        if not text_scores:
            scores = searcher.fast_field_values("relevance", addresses)
        elif order is None:
            scores = [score for score, _ in found.hits][: query.limit]
        else:  # another order: the page's BM25 scores, as the relevance order gives them
            scores = self._page_scores(searcher, compiled, rowids)
        facets = self._facets(searcher, compiled) if query.facets else {}
        return Found(found.count, list(zip(rowids, scores, strict=True)), facets)

    def _page_scores(
        self, searcher: tantivy.Searcher, compiled: tantivy.Query, rowids: list[int]
    ) -> list[float]:
        if not rowids:
            return []
        page = tantivy.Query.term_set_query(self.schema, "rowid", rowids)
        only_page = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (tantivy.Occur.Must, tantivy.Query.const_score_query(page, 0.0)),
            ]
        )
        hits = searcher.search(only_page, limit=len(rowids), count=False).hits
        ids = searcher.fast_field_values("rowid", [address for _, address in hits])
        by_rowid = {rowid: score for rowid, (score, _) in zip(ids, hits, strict=True)}
        return [by_rowid[rowid] for rowid in rowids]

    def _facets(
        self, searcher: tantivy.Searcher, compiled: tantivy.Query
    ) -> dict[str, list[tuple[str, int]]]:
        """Bucket counts per facet, largest first and then by value."""
        answer = searcher.aggregate(
            compiled,
            {
                facet: {"terms": {"field": facet, "size": ALL_BUCKETS,
                                  "segment_size": ALL_BUCKETS}}
                for facet in FACETS
            },
        )
        return {
            facet: sorted(
                ((b["key"], b["doc_count"]) for b in answer[facet]["buckets"]),
                key=lambda bucket: (-bucket[1], bucket[0]),
            )[:FACET_SIZE]
            for facet in FACETS
        }

    def num_docs(self) -> int:
        return int(self.index.searcher().num_docs)

    def entries(self) -> Counter[tuple[int, int]]:
        """Every entry's (row id, stamp), counted: what ``hotwatch doctor`` compares."""
        searcher = self.index.searcher()
        total = searcher.num_docs
        if not total:
            return Counter()
        hits = searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits
        addresses = [address for _, address in hits]
        return Counter(
            zip(
                searcher.fast_field_values("rowid", addresses),
                searcher.fast_field_values("stamp", addresses),
                strict=True,
            )
        )


def entry(row: tuple[Any, ...]) -> dict[str, Any]:
    """The index entry of a document from its SQLite row (``ROW_COLUMNS``)."""
    values = dict(zip(ROW_COLUMNS, row, strict=True))
    regions = json.loads(values["regions"])
    fields: dict[str, Any] = {
        "rowid": values["rowid"],
        "stamp": stamp(row),
        "title": index_text(values["title"]),
        "body": index_text(values["text"]),
        "relevant": int(values["relevant"]),
        "date_ts": int(values["date_ts"]),
        "negativity": float(values["negativity"]),
        "relevance": float(values["relevance"]),
        "source": values["source"] or "",  # counted as the empty source, as before
    }
    for field, column in TAG_FIELDS.items():
        fields[field] = json.loads(values[column])
    for kind in REGION_KINDS:
        fields[kind] = [region[kind] for region in regions if region.get(kind)]
    return fields


def stamp(row: tuple[Any, ...]) -> int:
    """A 63-bit digest of everything the entry is built from."""
    digest = hashlib.blake2b(repr(tuple(row)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None  # not glibc: nothing to trim


_MALLOC_TRIM = _malloc_trim()


def return_freed_memory() -> None:
    """Give memory freed by a writer back to the system. Each writer's threads allocate
    in malloc arenas of their own, which glibc keeps after the threads end: a store
    written 60 batches of 50 grew from 55 to 115 MB, with this after each to 64 MB."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
