"""SQLite search internals that the contract suite cannot reach through its answers alone."""

from __future__ import annotations

from dataclasses import replace

import pytest
import tantivy

from index import SearchQuery, open_store
from index.consistency_index import index_findings
from index.tantivy_index import ROW_COLUMNS, entry
from tests.test_store_contract import CORPUS


@pytest.mark.parametrize("sort", ["time", "negativity"])
@pytest.mark.parametrize("text", ["热线", "热线 OR 骂人"])
def test_page_scores_of_other_orders_equal_the_relevance_order_scores(tmp_path, sort, text):
    """Other orders score only the page, after the match: the same bm25 per document."""
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    by_relevance = store.search(SearchQuery(text=text, relevant_only=False))
    expected = {hit.document.url: hit.score for hit in by_relevance.hits}
    whole = store.search(SearchQuery(text=text, sort=sort, relevant_only=False))
    second_page = store.search(
        SearchQuery(text=text, sort=sort, relevant_only=False, limit=2, offset=1)
    )
    store.close()
    assert len(whole.hits) == by_relevance.total >= 3
    for result in (whole, second_page):
        assert [hit.score for hit in result.hits] == [
            expected[hit.document.url] for hit in result.hits
        ]
        assert all(hit.score > 0 for hit in result.hits)
    assert [h.document.url for h in second_page.hits] == [h.document.url for h in whole.hits][1:3]


@pytest.mark.parametrize("sort", ["relevance", "time", "negativity"])
@pytest.mark.parametrize("text", ["热线", "热线 OR 骂人", "热线 -骂人"])
def test_a_match_without_filters_or_facets_answers_as_the_match_table_does(tmp_path, sort, text):
    """With nothing to filter, the total and the page come straight off the match; the
    same query with facets goes through the table of matches: the same answers."""
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    answers = []
    for facets in (False, True):
        for offset in (0, 1):
            query = SearchQuery(
                text=text, sort=sort, relevant_only=False, facets=facets, limit=2, offset=offset
            )
            result = store.search(query)
            answers.append(
                (result.total, [(h.document.url, h.score, h.snippet) for h in result.hits])
            )
    store.close()
    assert answers[:2] == answers[2:]
    assert answers[0][0] >= 2 and len(answers[0][1]) == 2


def test_rewritten_documents_have_one_entry_built_from_their_last_version(tmp_path):
    """Each write replaces the document's entry by row id; ``hotwatch doctor`` compares the
    entries' stamps with the stored rows, so a rewrite must leave nothing to find."""
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    edited = [
        replace(doc, relevant=not doc.relevant, relevance=1, categories=['引号"', "反斜杠\\"])
        for doc in CORPUS[:3]
    ]
    store.upsert_many(edited)
    assert store.search_index.num_docs() == len(CORPUS)
    assert index_findings(store) == []
    assert store.search(SearchQuery(categories=('引号"',), relevant_only=False)).total == 3
    store.close()


def test_an_entry_whose_document_is_gone_is_left_off_the_page(tmp_path):
    """Damage doctor names (an entry with no document) must not break a search meanwhile."""
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    row = list(store.db.execute(
        f"SELECT {', '.join(ROW_COLUMNS)} FROM documents ORDER BY rowid LIMIT 1"
    ).fetchone())
    row[0] = 99999
    writer = store.search_index.open_writer(patience=0)
    writer.add_document(tantivy.Document(**entry(tuple(row))))
    writer.commit()
    writer.wait_merging_threads()
    store.search_index.reload()
    result = store.search(SearchQuery(text="骂人", sort="time"))
    assert result.total == 3  # the entry counts until doctor --repair drops it
    assert [hit.document.url[-6:] for hit in result.hits] == ["5.html", "1.html"]
    store.close()


@pytest.mark.parametrize(
    ("text", "total"),
    [("热线", 3), ("12345热", 2), ('"12345 热"', 2), ("12345骂", 0), ("骂", 3), ("NOT 热", 2)],
)
def test_counting_without_a_page_and_prefixes_after_a_word(tmp_path, text, total):
    """``limit=0`` counts (the web page's cache keys ask so); a one-character CJK term
    after a word is the prefix of the term at the next position (the FTS5 store's totals,
    checked side by side)."""
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many(CORPUS)
    counted = store.search(SearchQuery(text=text, limit=0, relevant_only=False, facets=True))
    assert (counted.total, counted.hits) == (total, [])
    assert sum(n for _, n in counted.facets["source"]) == total
    store.close()
