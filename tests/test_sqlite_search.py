"""SQLite search internals that the contract suite cannot reach at its corpus size."""

from __future__ import annotations

import pytest

from index import SearchQuery, open_store, sqlite_search
from tests.test_store_contract import CORPUS


@pytest.mark.parametrize("sort", ["time", "negativity"])
def test_page_scores_of_a_large_match_equal_the_relevance_order_scores(
    tmp_path, monkeypatch, sort
):
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    by_relevance = store.search(SearchQuery(text="热线", relevant_only=False))
    expected = {hit.document.url: hit.score for hit in by_relevance.hits}
    scored_while_matching = store.search(SearchQuery(text="热线", sort=sort))
    # As if the match were larger than SCORE_ALL_MATCHES: only the page is scored.
    monkeypatch.setattr(sqlite_search, "SCORE_ALL_MATCHES", 0)
    scored_after = store.search(SearchQuery(text="热线", sort=sort))
    store.close()
    for result in (scored_while_matching, scored_after):
        assert [hit.score for hit in result.hits] == [
            expected[hit.document.url] for hit in result.hits
        ]
    assert [h.document.url for h in scored_after.hits] == [
        h.document.url for h in scored_while_matching.hits
    ]
    assert len(scored_after.hits) == 3 and all(hit.score > 0 for hit in scored_after.hits)
