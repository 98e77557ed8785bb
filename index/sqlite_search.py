"""The SQLite store's search: one pass over the matching documents, then page and facets.

The match and the filters run once, over the narrow ``search_columns`` table, into a
temporary table holding what the page and the facets need (rank, date, negativity,
source, facet tags). The total is its row count, the page is sorted from it and the
facets count from it. Before, the match ran once for the count, once for the page and
once more for the facets, each looking up every match in ``documents``, and bm25 was
computed for every match before the filters dropped most of them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from index.records import FACET_SIZE, FACETS, Hit, SearchQuery, SearchResult
from index.snippets import make_snippet
from index.sqlite_query import filter_conditions, fts_expression, match_condition, parse_query

TITLE_WEIGHT = 4.0
BM25 = f"bm25(documents_fts, {TITLE_WEIGHT}, 1.0)"
TAG_FACETS = tuple(f for f in FACETS if f != "source")
# The columns search filters, sorts and counts on, in a table of their own: a match
# looks each document up by row id, and in ``documents`` (text inline) nearly every
# lookup reads another page, here a page holds dozens of documents. ``facet_tags`` is
# the document's facet tags as a JSON list of [kind, value], so facets count the
# matches' distinct tag sets (a few hundred even for half the store) instead of
# looking up every match's tags.
_FACET_TAGS = (
    "(SELECT json_group_array(json_array(kind, value)) FROM (SELECT kind, value "
    "FROM document_tags WHERE doc_rowid = d.rowid AND kind IN "
    f"({', '.join(repr(kind) for kind in TAG_FACETS)}) ORDER BY kind, value))"
)
FILL_SEARCH_COLUMNS = (
    "INSERT OR REPLACE INTO search_columns "
    "SELECT d.rowid, d.relevant, d.date_ts, d.relevance, d.negativity, d.source, "
    f"{_FACET_TAGS} FROM documents d"
)
# The same row for one document written just now, from the values written and its tags
# (``facet_tags``): the SQL above walks the text's overflow pages to reach the columns
# after it and sorts the tags, most of the CPU of a document's write.
FILL_SEARCH_ROW = (
    "INSERT OR REPLACE INTO search_columns (rowid, relevant, date_ts, relevance, negativity, "
    "source, facet_tags) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# Documents whose search columns are missing or differ from the document and its tags
# (what ``hotwatch doctor`` looks for), then rows left with no document.
OUT_OF_DATE_SEARCH_COLUMNS = (
    "SELECT d.id FROM documents d LEFT JOIN search_columns s ON s.rowid = d.rowid "
    "WHERE s.rowid IS NULL OR s.relevant IS NOT d.relevant OR s.date_ts IS NOT d.date_ts "
    "OR s.relevance IS NOT d.relevance OR s.negativity IS NOT d.negativity "
    f"OR s.source IS NOT d.source OR s.facet_tags IS NOT {_FACET_TAGS} ORDER BY d.rowid"
)
ORPHAN_SEARCH_COLUMNS = (
    "SELECT s.rowid FROM search_columns s WHERE NOT EXISTS "
    "(SELECT 1 FROM documents d WHERE d.rowid = s.rowid) ORDER BY s.rowid"
)
MIGRATION = f"""
    CREATE TABLE search_columns (
        rowid INTEGER PRIMARY KEY,
        relevant INTEGER NOT NULL,
        date_ts INTEGER NOT NULL,
        relevance REAL NOT NULL,
        negativity REAL NOT NULL,
        source TEXT,
        facet_tags TEXT NOT NULL
    );
    {FILL_SEARCH_COLUMNS};
    CREATE INDEX search_columns_relevant_date ON search_columns (relevant, date_ts)
"""


def facet_tags(tags: list[tuple[str, str]]) -> str:
    """A document's (kind, value) tags as ``_FACET_TAGS`` gives them (the same JSON text)."""
    facets = sorted({(kind, value) for kind, value in tags if kind in TAG_FACETS})
    return json.dumps(facets, ensure_ascii=False, separators=(",", ":"))


_ORDERS = {
    "relevance": "score, date_ts DESC, id",
    "time": "date_ts DESC, id",
    "negativity": "negativity DESC, date_ts DESC, id",
}


class SearchMethods:
    """``search`` for ``SQLiteStore``, which provides the connection and ``_document``."""

    db: sqlite3.Connection

    def search(self, query: SearchQuery) -> SearchResult:
        rule = parse_query(query.text)
        conditions = filter_conditions(query)
        where, params = conditions.sql(), list(conditions.params)
        expression = fts_expression(rule.root) if rule.root is not None else None
        if expression is not None:
            # The FTS table drives the join, so bm25 is only computed for the rows the
            # filters keep (the select list is evaluated after the WHERE clause), and
            # only when it orders the page.
            source = "documents_fts CROSS JOIN search_columns d ON d.rowid = documents_fts.rowid"
            where = f"documents_fts MATCH ? AND {where}"
            params = [expression, *params]
            # The relevance order needs every match's score; other orders score the page.
            rank = BM25 if query.sort == "relevance" else "NULL"
        else:
            source, rank = "search_columns d", "-d.relevance"
            if rule.root is not None:
                match_sql, match_params = match_condition(rule.root)
                where = f"{match_sql} AND {where}"
                params = match_params + params
        page = (query.limit, query.offset)
        whole_match = expression is not None and not conditions.clauses and not query.facets
        if whole_match:
            # Nothing to filter or count per match: FTS5 counts the match by itself (a
            # term in 44% of 100k documents: 1.4 ms) and the page is read straight off
            # the match, without the table of matches (60 -> 43 ms CPU for that term).
            total = self.db.execute(
                "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", (expression,)
            ).fetchone()[0]
            rows = self.db.execute(
                f"SELECT d.rowid AS id, {rank} AS score, d.date_ts, d.negativity FROM {source} "
                f"WHERE {where} ORDER BY {_ORDERS[query.sort]} LIMIT ? OFFSET ?",
                [*params, *page],
            ).fetchall()
            rows = [(rowid, score) for rowid, score, _, _ in rows]
        else:
            self._collect(source, rank, where, params, query.facets)
            total = self.db.execute("SELECT count(*) FROM temp.search_hits").fetchone()[0]
            rows = self.db.execute(
                f"SELECT id, score FROM temp.search_hits ORDER BY {_ORDERS[query.sort]} "
                "LIMIT ? OFFSET ?",
                page,
            ).fetchall()
        if expression is not None and rank == "NULL" and rows:
            rows = self._page_scores(expression, [rowid for rowid, _ in rows])
        terms = rule.terms()
        hits = [self._hit(rowid, -float(score), terms) for rowid, score in rows]
        facets = self._facets() if query.facets else {}
        if not whole_match:
            self.db.execute("DELETE FROM temp.search_hits")
        return SearchResult(total=total, hits=hits, facets=facets)

    def _page_scores(self, expression: str, page: list[int]) -> list[tuple[int, float]]:
        """The page's bm25 scores, as the relevance order would give them (bm25 depends on
        the document and the whole index, not on the other matches).

        The unary ``+`` keeps the row ids from FTS5: given ``rowid IN (...)`` it runs the
        match once per row id, and bm25 reads each phrase's whole document list every
        time to count its documents. Filtered after one pass over the matches instead,
        the counts are read once and only the page is scored (100k documents, a term in
        7k: 12 ms -> 1 ms; 1M documents, a term in 440k: 870 -> 200 ms).
        """
        scores = dict(
            self.db.execute(
                f"SELECT rowid, {BM25} FROM documents_fts WHERE documents_fts MATCH ? "
                f"AND +rowid IN ({', '.join('?' for _ in page)})",
                [expression, *page],
            ).fetchall()
        )
        return [(rowid, scores[rowid]) for rowid in page]

    def _collect(self, source: str, rank: str, where: str, params: list[Any], facets: bool) -> None:
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_hits ("
            "id INTEGER PRIMARY KEY, score REAL, date_ts INTEGER, negativity REAL, source TEXT, "
            "facet_tags TEXT)"
        )
        self.db.execute("DELETE FROM temp.search_hits")
        # Without facets the source and tags stay out: copying them for every match was a
        # quarter of collecting a term in 67k of 1M documents (90 -> 65 ms CPU).
        tags = "d.source, d.facet_tags" if facets else "NULL, NULL"
        self.db.execute(
            "INSERT INTO temp.search_hits (id, score, date_ts, negativity, source, facet_tags) "
            f"SELECT d.rowid, {rank}, d.date_ts, d.negativity, {tags} "
            f"FROM {source} "
            f"WHERE {where}",
            params,
        )

    def _hit(self, rowid: int, score: float, terms: list[str]) -> Hit:
        doc = self._document(rowid)
        snippet, highlights = make_snippet(doc.text or doc.title, terms)
        return Hit(document=doc, score=score, snippet=snippet, highlights=highlights)

    def _facets(self) -> dict[str, list[tuple[str, int]]]:
        """Bucket counts per facet, largest first and then by value (as Elasticsearch's
        terms aggregation orders them)."""
        counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
        # Counted here rather than by GROUP BY: SQLite sorts the matches to group them,
        # and sorting grows faster than the matches (a term in 240k of 1M documents:
        # 890 ms CPU for the two GROUP BYs, 280 ms for this; equal at 7k matches).
        tag_sets: Counter[str] = Counter()
        for (source, facet_tags), n in Counter(
            self.db.execute("SELECT source, facet_tags FROM temp.search_hits")
        ).items():
            counts["source"][source or ""] += n
            tag_sets[facet_tags] += n
        for facet_tags, n in tag_sets.items():
            for kind, value in json.loads(facet_tags):
                counts[kind][value] += n
        return {
            facet: sorted(buckets.items(), key=lambda b: (-b[1], b[0]))[:FACET_SIZE]
            for facet, buckets in counts.items()
        }
