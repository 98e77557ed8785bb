"""Translate parsed queries and filters into tantivy queries (the SQLite store's search side).

The text fields hold the same index terms as Elasticsearch and the old FTS5 index
(``index.tokens``): a term is the phrase of its bigrams, a one-character CJK term the
prefix of the terms it starts. Filters are constant-score clauses, so only the text
scores (BM25 per field, the title boosted, as on Elasticsearch). User text only ever
becomes term values, never query-parser syntax.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import tantivy

from analysis.rules import And, Node, Not, Or, Term
from index.errors import InvalidQuery
from index.records import SearchQuery
from index.sqlite_query import REGION_KINDS, day_start_ts
from index.tokens import query_terms

TITLE_BOOST = 4.0  # as Elasticsearch's title boost and FTS5's bm25 column weight
TEXT_FIELDS = ("title", "body")
# A phrase ending in one CJK character matches any term it starts at the last position;
# the expansions come from the term dictionary (Elasticsearch allows as many).
MAX_PREFIX_EXPANSIONS = 1024


class Translator:
    """Builds queries against one searcher (phrase prefixes read its term dictionary)."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher) -> None:
        self.schema = schema
        self.searcher = searcher

    def query(self, root: Node | None, filters: list[tantivy.Query]) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if root is not None:
            clauses.append((tantivy.Occur.Must, self.node(root)))
        clauses += [
            (tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters
        ]
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def node(self, node: Node) -> tantivy.Query:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Not):
            return _all_but(self.node(node.child))
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self.node(c)) for c in node.children]
            )
        assert isinstance(node, And)
        positives = [(tantivy.Occur.Must, self.node(c)) for c in node.children
                     if not isinstance(c, Not)]
        negatives = [(tantivy.Occur.MustNot, self.node(c.child)) for c in node.children
                     if isinstance(c, Not)]
        if not positives:
            positives = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        return tantivy.Query.boolean_query(positives + negatives)

    def term(self, term: Term) -> tantivy.Query:
        terms, prefix = query_terms(term.text)
        if not terms:
            raise InvalidQuery(f"invalid query: {term.text!r} has no searchable characters")
        title, body = (self.phrase(field, terms, prefix) for field in TEXT_FIELDS)
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.boost_query(title, TITLE_BOOST)),
                (tantivy.Occur.Should, body),
            ]
        )

    def phrase(self, field: str, terms: list[str], prefix: bool) -> tantivy.Query:
        if not prefix:
            if len(terms) == 1:
                return tantivy.Query.term_query(self.schema, field, terms[0], index_option="freq")
            return tantivy.Query.phrase_query(self.schema, field, terms)
        if len(terms) == 1:
            return tantivy.Query.regex_query(self.schema, field, re.escape(terms[0]) + ".*")
        expansions = self.searcher.terms_with_prefix(
            field, terms[-1], limit=MAX_PREFIX_EXPANSIONS
        )
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.phrase_query(self.schema, field,
                                                                  [*terms[:-1], last]))
                for last, _ in expansions
            ]
            or [(tantivy.Occur.Must, tantivy.Query.empty_query())]
        )

    def filters(self, query: SearchQuery, incident_rowids: list[int] | None) -> list[Any]:
        """Filter clauses for every filter of the query; ``incident_rowids``: the row ids of
        the incident's documents (the incident is read from SQLite, where it is written)."""
        schema, out = self.schema, []
        if query.relevant_only:
            out.append(tantivy.Query.term_query(schema, "relevant", 1))
        if query.date_from or query.date_to:
            low = day_start_ts(query.date_from) if query.date_from else None
            high = day_start_ts(query.date_to + timedelta(days=1)) if query.date_to else None
            out.append(tantivy.Query.range_query(  # an open side must be inclusive
                schema, "date_ts", tantivy.FieldType.Integer, low, high,
                include_upper=high is None,
            ))
        if query.negativity_min is not None or query.negativity_max is not None:
            out.append(tantivy.Query.range_query(
                schema, "negativity", tantivy.FieldType.Float,
                query.negativity_min, query.negativity_max,
            ))
        for field, values in (
            ("hotline", query.hotlines),
            ("category", query.categories),
            ("plan", query.plans),
            ("source", query.sources),
        ):
            if values:
                out.append(tantivy.Query.term_set_query(schema, field, list(values)))
        if query.regions:
            out.append(tantivy.Query.boolean_query([
                (tantivy.Occur.Should, tantivy.Query.term_set_query(schema, kind,
                                                                    list(query.regions)))
                for kind in REGION_KINDS
            ]))
        if incident_rowids is not None:
            out.append(tantivy.Query.term_set_query(schema, "rowid", incident_rowids))
        return out


def scored(node: Node | None) -> bool:
    """Whether the text scores: a query of NOT alone matches without a term to rank by,
    and orders by the documents' relevance as a query with no text does."""
    if node is None or isinstance(node, Not):
        return False
    if isinstance(node, Term):
        return True
    return any(scored(child) for child in node.children)  # type: ignore[attr-defined]


def _all_but(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, query)]
    )
