"""Relevance through events: a page scored under the relevance threshold that is a
rewrite or follow-up of reports judged relevant joins their incident and is relevant
through it; it never founds one, and an unrelated page stays out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

from analysis.incidents import IncidentFeatures, IncidentIndex, assign_incidents
from analysis.incidents.features import COPY, FOLLOW_UP
from analysis.judgement import load_model
from analysis.relevance import (
    COPY_FLOOR,
    FOLLOW_UP_FLOOR,
    JOINED_EVENT,
    NO_CHANNEL,
    event_routes,
)
from analysis.tags import categories, hotlines, regions
from hotwatch.api.incidents import update_incidents
from index import SearchQuery, StoredDocument, open_store
from index.incidents import rebuild_incidents
from tests.test_incident_clues import COMMENT, ORIGINAL, OTHER, RESPONSE, START


def _features(
    doc_id: str, doc: tuple[str, str], days: float, *, joins: tuple[str, ...] = ()
) -> IncidentFeatures:
    title, text = doc
    return IncidentFeatures(
        doc_id=doc_id,
        title=title,
        text=text,
        published_at=START + timedelta(days=days),
        regions=regions(text, title=title),
        hotlines=hotlines(f"{title}\n{text}"),
        categories=categories(text, title=title),
        relevant=not joins,
        joins=joins,
    )


def test_a_rewrite_not_judged_relevant_joins_the_reports_incident() -> None:
    original = _features("a", ORIGINAL, 0)
    comment = _features("b", COMMENT, 1, joins=(COPY,))
    first, second = assign_incidents([original, comment])
    assert first is not None and second == first


def test_a_page_not_judged_relevant_never_founds_an_incident() -> None:
    alone = _features("b", COMMENT, 1, joins=(COPY, FOLLOW_UP))
    assert assign_incidents([alone]) == [None]
    # Nor does it join an incident it only comes after: the report is placed first.
    index = IncidentIndex()
    assert index.join(alone) is None
    assert index.incidents == {}


def test_an_unrelated_page_stays_out() -> None:
    ids = assign_incidents(
        [_features("a", ORIGINAL, 0), _features("c", OTHER, 1, joins=(COPY, FOLLOW_UP))]
    )
    assert ids[0] is not None and ids[1] is None


def test_a_follow_up_joins_only_when_its_score_allows_that_route() -> None:
    original = _features("a", ORIGINAL, 0)
    copies_only = _features("e", RESPONSE, 2, joins=(COPY,))
    assert assign_incidents([original, copies_only])[1] is None
    follow_ups = replace(copies_only, joins=(COPY, FOLLOW_UP))
    first, second = assign_incidents([original, follow_ups])
    assert second == first is not None


def test_event_routes_follow_the_score_and_the_gates() -> None:
    threshold = load_model("relevance").threshold
    copy_score, follow_score = COPY_FLOOR * threshold + 0.01, FOLLOW_UP_FLOOR * threshold + 0.01
    assert event_routes(False, follow_score, []) == (COPY, FOLLOW_UP)
    assert event_routes(False, copy_score, ["hotline:12345"]) == (COPY,)
    assert event_routes(False, COPY_FLOOR * threshold - 0.01, []) == ()
    assert event_routes(True, 0.9, []) == ()  # placed as relevant already
    assert event_routes(False, follow_score, [NO_CHANNEL]) == ()  # a gate turned it away


def _stored(n: int, doc: tuple[str, str], days: int, *, relevant: bool, score: float):
    title, text = doc
    published = (START + timedelta(days=days)).replace(tzinfo=UTC)
    return StoredDocument(
        url=f"https://news{n}.example.cn/{n}.html",
        title=title,
        text=text,
        fetched_at=published,
        published_at=published,
        relevant=relevant,
        relevance=score,
        reasons=[f"model:{score:.2f}"],
        regions=regions(text, title=title),
        hotlines=hotlines(f"{title}\n{text}"),
        categories=categories(text, title=title),
    )


def test_a_store_keeps_a_joined_page_relevant_with_the_reason(tmp_path: Path) -> None:
    threshold = load_model("relevance").threshold
    below = FOLLOW_UP_FLOOR * threshold + 0.01
    docs = [
        _stored(1, ORIGINAL, 0, relevant=True, score=0.9),
        _stored(2, COMMENT, 1, relevant=False, score=below),
        _stored(3, OTHER, 1, relevant=False, score=below),
    ]
    store = open_store({}, tmp_path)
    store.upsert_many(docs)
    for place in (update_incidents, rebuild_incidents):
        place(store)
        report, rewrite, other = (store.get(d.id) for d in docs)
        assert report.incident_id and rewrite.incident_id == report.incident_id
        assert rewrite.relevant and rewrite.reasons.count(JOINED_EVENT) == 1
        assert not other.relevant and other.incident_id is None
    found = store.search(SearchQuery(text="养猪场"))
    assert sorted(hit.document.id for hit in found.hits) == sorted(d.id for d in docs[:2])
    store.close()
