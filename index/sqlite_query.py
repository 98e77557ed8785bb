"""Translate parsed queries and filters into SQLite FTS5 expressions and SQL conditions.

Queries are built as structures: user text only ever reaches SQLite as bound
parameters or as FTS5 phrases made of index terms (letters and digits only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.rules import And, Node, Not, Or, Rule, RuleSyntaxError, Term, parse_rule
from index.errors import InvalidQuery
from index.records import SearchQuery
from index.tokens import query_terms

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGION_KINDS = ("province", "city", "county")


def parse_query(text: str) -> Rule:
    try:
        return parse_rule(text)
    except RuleSyntaxError as error:
        raise InvalidQuery(f"invalid query: {error}") from error


def fts_phrase(term: Term) -> str:
    terms, prefix = query_terms(term.text)
    if not terms:
        raise InvalidQuery(f"invalid query: {term.text!r} has no searchable characters")
    return '"' + " ".join(terms) + '"' + ("*" if prefix else "")


def fts_expression(node: Node) -> str | None:
    """An FTS5 MATCH expression for the node, or None when FTS5 cannot express it.

    FTS5 has only a binary ``a NOT b``, so a NOT must have a positive sibling in an AND.
    """
    if isinstance(node, Term):
        return fts_phrase(node)
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        parts = [fts_expression(child) for child in node.children]
        if any(part is None for part in parts):
            return None
        return "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
    positives = [c for c in node.children if not isinstance(c, Not)]
    negatives = [c.child for c in node.children if isinstance(c, Not)]
    if not positives:
        return None
    parts = [fts_expression(child) for child in positives + negatives]
    if any(part is None for part in parts):
        return None
    positive_sql = " AND ".join(parts[: len(positives)])  # type: ignore[arg-type]
    expression = "(" + positive_sql + ")"
    for negative in parts[len(positives) :]:
        expression = f"({expression} NOT {negative})"
    return expression


def match_condition(node: Node) -> tuple[str, list[Any]]:
    """A SQL condition on ``d.rowid`` for any query tree, built from FTS5 sub-matches."""
    expression = fts_expression(node)
    if expression is not None:
        return "d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)", [
            expression
        ]
    if isinstance(node, Not):
        sql, params = match_condition(node.child)
        return f"NOT ({sql})", params
    assert isinstance(node, (And, Or))
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = [match_condition(child) for child in node.children]
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


@dataclass
class Conditions:
    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def filter_conditions(query: SearchQuery) -> Conditions:
    """SQL conditions on the ``search_columns d`` row for every filter of the query."""
    conditions = Conditions()
    if query.relevant_only:
        conditions.add("d.relevant = 1")
    if query.date_from:
        conditions.add("d.date_ts >= ?", day_start_ts(query.date_from))
    if query.date_to:
        conditions.add("d.date_ts < ?", day_start_ts(query.date_to + timedelta(days=1)))
    if query.negativity_min is not None:
        conditions.add("d.negativity >= ?", query.negativity_min)
    if query.negativity_max is not None:
        conditions.add("d.negativity <= ?", query.negativity_max)
    if query.sources:
        conditions.add(_in("d.source", query.sources), *query.sources)
    if query.incident_id:
        conditions.add(
            "d.rowid IN (SELECT rowid FROM documents WHERE incident_id = ?)", query.incident_id
        )
    _tag_condition(conditions, ("hotline",), query.hotlines)
    _tag_condition(conditions, ("category",), query.categories)
    _tag_condition(conditions, ("plan",), query.plans)
    _tag_condition(conditions, REGION_KINDS, query.regions)
    return conditions


def day_start_ts(day: date) -> int:
    """Unix time of midnight in Asia/Shanghai, the day boundary PR staff mean."""
    return int(datetime.combine(day, time(), tzinfo=SHANGHAI).timestamp())


def _tag_condition(conditions: Conditions, kinds: tuple[str, ...], values: tuple[str, ...]) -> None:
    if not values:
        return
    # A set of row ids read off the tag index once, not a lookup per document: with no
    # text to match, the tagged documents drive the query instead of a scan of all.
    clause = (
        "d.rowid IN (SELECT t.doc_rowid FROM document_tags t WHERE "
        f"{_in('t.kind', kinds)} AND {_in('t.value', values)})"
    )
    conditions.add(clause, *kinds, *values)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join('?' for _ in values)})"
