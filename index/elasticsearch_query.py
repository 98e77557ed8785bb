"""Translate parsed queries and filters into Elasticsearch query structures.

The text fields hold the same index terms as the SQLite store (``index.tokens``),
so a term matches on both backends alike. User text only ever becomes values inside
dicts (phrases of index terms), never request syntax: no ``query_string``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from analysis.rules import And, Node, Not, Or, Term
from index.errors import InvalidQuery
from index.records import SearchQuery
from index.sqlite_query import REGION_KINDS, day_start_ts
from index.tokens import query_terms

TITLE_FIELD, BODY_FIELD = "title_terms", "body_terms"
TITLE_BOOST = 4.0
# A one-character query term is a prefix of the bigrams it starts; allow all of them.
MAX_PREFIX_EXPANSIONS = 1024


def rule_query(node: Node) -> dict[str, Any]:
    """A bool query for a parsed rule tree."""
    if isinstance(node, Term):
        return _term_query(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [rule_query(node.child)]}}
    if isinstance(node, Or):
        return {
            "bool": {"should": [rule_query(c) for c in node.children], "minimum_should_match": 1}
        }
    assert isinstance(node, And)
    positives = [rule_query(c) for c in node.children if not isinstance(c, Not)]
    negatives = [rule_query(c.child) for c in node.children if isinstance(c, Not)]
    return {"bool": {"must": positives, "must_not": negatives}}


def filter_clauses(query: SearchQuery) -> list[dict[str, Any]]:
    """Filter clauses for every filter of the query (they do not score)."""
    clauses: list[dict[str, Any]] = []
    if query.relevant_only:
        clauses.append({"term": {"relevant": True}})
    dates: dict[str, int] = {}
    if query.date_from:
        dates["gte"] = day_start_ts(query.date_from)
    if query.date_to:
        dates["lt"] = day_start_ts(query.date_to + timedelta(days=1))
    if dates:
        clauses.append({"range": {"date_ts": dates}})
    negativity: dict[str, float] = {}
    if query.negativity_min is not None:
        negativity["gte"] = query.negativity_min
    if query.negativity_max is not None:
        negativity["lte"] = query.negativity_max
    if negativity:
        clauses.append({"range": {"negativity": negativity}})
    if query.sources:
        clauses.append({"terms": {"source": list(query.sources)}})
    if query.incident_id:
        clauses.append({"term": {"incident_id": query.incident_id}})
    if query.hotlines:
        clauses.append({"terms": {"hotlines": list(query.hotlines)}})
    if query.categories:
        clauses.append({"terms": {"categories": list(query.categories)}})
    if query.plans:
        clauses.append({"terms": {"plans": list(query.plans)}})
    if query.regions:
        any_level = [{"terms": {kind: list(query.regions)}} for kind in REGION_KINDS]
        clauses.append({"bool": {"should": any_level, "minimum_should_match": 1}})
    return clauses


def sort_clauses(sort: str, has_text: bool) -> list[Any]:
    """The SQLite store's orders, with the document id as the last tie-break."""
    by_date = {"date_ts": "desc"}
    if sort == "time":
        order: list[Any] = [by_date]
    elif sort == "negativity":
        order = [{"negativity": "desc"}, by_date]
    elif has_text:
        order = ["_score", by_date]
    else:
        order = [{"relevance": "desc"}, by_date]
    return [*order, {"id": "asc"}]


def _term_query(term: Term) -> dict[str, Any]:
    terms, prefix = query_terms(term.text)
    if not terms:
        raise InvalidQuery(f"invalid query: {term.text!r} has no searchable characters")
    phrase = " ".join(terms)
    fields = ((TITLE_FIELD, TITLE_BOOST), (BODY_FIELD, 1.0))
    if prefix and len(terms) == 1:
        should = [{"prefix": {f: {"value": phrase, "boost": boost}}} for f, boost in fields]
    elif prefix:
        should = [
            {
                "match_phrase_prefix": {
                    f: {"query": phrase, "boost": boost, "max_expansions": MAX_PREFIX_EXPANSIONS}
                }
            }
            for f, boost in fields
        ]
    else:
        should = [{"match_phrase": {f: {"query": phrase, "boost": boost}}} for f, boost in fields]
    return {"bool": {"should": should, "minimum_should_match": 1}}
