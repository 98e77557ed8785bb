"""One contract, two backends: every store behaves the same for the same calls.

Each test runs on SQLite and on Elasticsearch (a real node at ``HOTWATCH_ES_URL``;
without one the Elasticsearch runs skip, and under ``CI=true`` that is a failure).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from analysis.relevance import JOINED_EVENT
from index import (
    DocumentNotFound,
    IncidentNotFound,
    IncidentRecord,
    InvalidQuery,
    SearchQuery,
    Store,
    StoredDocument,
    open_store,
)
from tests.store_backends import BACKENDS, backend_store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    with backend_store(request.param, tmp_path, "contract") as opened:
        yield opened


def doc(n: int, title: str, text: str, **fields) -> StoredDocument:
    fields.setdefault("fetched_at", datetime(2026, 11, n, 8, 0))
    fields.setdefault("relevant", True)
    return StoredDocument(url=f"https://news.example.cn/{n}.html", title=title, text=text, **fields)


CORPUS = [
    doc(1, "新乡12345热线接线员骂人", "市民投诉12345热线接线员辱骂来电群众，态度恶劣。",
        negativity=0.9, relevance=0.9, hotlines=["12345"], categories=["rudeness"],
        regions=[{"province": "河南省", "city": "新乡市", "county": "长垣市"}], source="news-a"),
    doc(2, "郑州市长热线打不通", "市民反映市长热线打了三天没人接，一直占线，问题没有解决。",
        negativity=0.7, relevance=0.8, hotlines=["12345"], categories=["unreachable"],
        regions=[{"province": "河南省", "city": "郑州市"}], source="news-b"),
    doc(3, "合肥12315投诉被推诿", "消费者称12315把投诉转来转去，部门之间互相推诿。",
        negativity=0.6, relevance=0.7, hotlines=["12315"], categories=["buck_passing"],
        regions=[{"province": "安徽省", "city": "合肥市"}], source="news-a"),
    doc(4, "小说第三章 电话", "他在电话里骂了一句，随后挂断。", relevant=False, negativity=0.5,
        relevance=0.1, source="fiction"),
    doc(5, "新乡官方回应热线骂人事件", "新乡市12345热线管理中心致歉，涉事接线员已停职。",
        negativity=0.4, relevance=0.85, hotlines=["12345"], categories=["rudeness"],
        regions=[{"province": "河南省", "city": "新乡市"}], source="news-c", incident_id="inc-x"),
]


def urls(result) -> list[str]:
    return [hit.document.url.rsplit("/", 1)[1].removesuffix(".html") for hit in result.hits]


def search(store: Store, text: str = "", **options) -> list[str]:
    options.setdefault("sort", "time")
    return urls(store.search(SearchQuery(text=text, **options)))


def test_upsert_outcomes_and_no_duplicates_on_recrawl(store):
    assert store.upsert_many(CORPUS) == ["new"] * 5
    assert store.upsert_many(CORPUS) == ["unchanged"] * 5
    changed = doc(1, CORPUS[0].title, CORPUS[0].text + "记者追踪报道。")
    assert store.upsert(changed) == "updated"
    assert store.stats()["documents"] == 5
    assert store.get(changed.id).text.endswith("记者追踪报道。")


def test_get_round_trips_every_field(store):
    post = doc(6, "转发微博", "12345热线三天没人接 #热线打不通#", kind="post", reposts=12,
               comments=3, likes=40, parent_url="https://m.weibo.cn/detail/1", author="市民甲",
               published_at=datetime(2026, 11, 6, 7, 30), tier=4, plans=["默认"],
               reasons=["hotline"], sentiment=0.25)
    store.upsert(post)
    assert store.get(post.id) == replace(post, urls=[post.url])  # its own URL is always listed
    with pytest.raises(DocumentNotFound):
        store.get("0" * 16)


def test_every_url_that_led_to_a_document_is_kept(store):
    first = doc(7, "标题", "正文", urls=["https://news.example.cn/7.html?from=list2"])
    assert store.upsert(first) == "new"
    again = replace(first, urls=["https://m.example.cn/7.html", first.urls[0]])
    assert store.upsert(again) == "unchanged"  # the same article, reached another way
    assert store.get(first.id).urls == [
        first.url,
        "https://news.example.cn/7.html?from=list2",
        "https://m.example.cn/7.html",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345", ["5", "1"]),
        ("接线员", ["5", "1"]),
        ("热线 AND 推诿", []),
        ("骂", ["5", "1"]),
        ("推诿 OR 打不通", ["3", "2"]),
        ("热线 NOT 新乡", ["2"]),
        ('"态度恶劣"', ["1"]),
        ("(骂人 OR 占线) AND 市民", ["2", "1"]),
        ("NOT 12345", ["3", "2"]),
        # Request syntax in the text is just text (no field names, no JSON).
        ('"新乡 }}, {match_all: {}}"', []),  # a phrase of its words, not match_all
        ("title:新乡", []),
    ],
)
def test_query_syntax(store, text, expected):
    store.upsert_many(CORPUS)
    assert search(store, text) == expected


@pytest.mark.parametrize(
    "text", ["(12345", "12345 AND", "OR 热线", '"未闭合', "*", '{"match_all": {}}']
)
def test_malformed_queries_raise_invalid_query(store, text):
    store.upsert_many(CORPUS)
    with pytest.raises(InvalidQuery, match="invalid query"):
        store.search(SearchQuery(text=text))


def test_filters(store):
    store.upsert_many(CORPUS)
    assert search(store, regions=("新乡市",)) == ["5", "1"]
    assert search(store, regions=("长垣市",)) == ["1"]
    assert search(store, regions=("安徽省",)) == ["3"]
    assert search(store, hotlines=("12315",)) == ["3"]
    assert search(store, categories=("rudeness", "unreachable")) == ["5", "2", "1"]
    assert search(store, sources=("news-a",)) == ["3", "1"]
    assert search(store, incident_id="inc-x") == ["5"]
    assert search(store, date_from=date(2026, 11, 2), date_to=date(2026, 11, 3)) == ["3", "2"]
    assert search(store, negativity_min=0.6, negativity_max=0.7) == ["3", "2"]
    assert search(store, "骂", relevant_only=False) == ["5", "4", "1"]


def test_sorts_paging_and_exact_totals(store):
    store.upsert_many(CORPUS)
    assert search(store, sort="negativity") == ["1", "2", "3", "5"]
    assert search(store, sort="relevance") == ["1", "5", "2", "3"]  # no text: by relevance
    page = store.search(SearchQuery(sort="time", limit=2, offset=1))
    assert (page.total, urls(page)) == (4, ["3", "2"])
    ranked = store.search(SearchQuery(text="新乡", sort="relevance"))
    assert ranked.total == 2 and ranked.hits[0].score >= ranked.hits[1].score


def test_facets(store):
    store.upsert_many(CORPUS)
    facets = store.search(SearchQuery(text="热线", facets=True)).facets
    assert dict(facets["hotline"]) == {"12345": 3}
    assert dict(facets["province"]) == {"河南省": 3}
    assert dict(facets["city"]) == {"新乡市": 2, "郑州市": 1}
    assert facets["city"][0] == ("新乡市", 2)
    assert dict(facets["category"]) == {"rudeness": 2, "unreachable": 1}
    assert dict(facets["source"]) == {"news-a": 1, "news-b": 1, "news-c": 1}


def test_a_rewritten_document_is_filtered_sorted_and_counted_as_rewritten(store):
    store.upsert_many(CORPUS)
    before = replace(CORPUS[3], relevant=False, regions=[{"province": "河南省", "city": "新乡市"}])
    store.upsert(before)
    assert store.search(SearchQuery(text="电话")).total == 0
    after = replace(
        CORPUS[3], relevant=True, relevance=0.95, negativity=0.95, source="news-d",
        fetched_at=datetime(2026, 11, 9, 8, 0), categories=["rudeness"],
        regions=[{"province": "安徽省", "city": "合肥市"}],
    )
    store.upsert(after)
    found = store.search(SearchQuery(text="电话", facets=True, sort="negativity"))
    assert urls(found) == ["4"]
    assert dict(found.facets["city"]) == {"合肥市": 1}
    assert dict(found.facets["source"]) == {"news-d": 1}
    assert dict(found.facets["category"]) == {"rudeness": 1}
    assert urls(store.search(SearchQuery(regions=("合肥市",), sort="time"))) == ["4", "3"]
    assert store.search(SearchQuery(regions=("新乡市",), text="电话", relevant_only=False)).total == 0


def test_one_batch_writing_a_document_twice_searches_as_its_last_version(store):
    """A batch holding a document, its rewrite and others: the text searched is the last
    version's (SQLite writes a batch's search terms after its rows, in order)."""
    first = doc(7, "热线打不通", "市民称热线一直占线。", fetched_at=datetime(2026, 11, 7, 8, 0))
    rewrite = replace(first, title="热线接通", text="记者再次拨打，热线已经接通。")
    outcomes = store.upsert_many([first, CORPUS[0], rewrite, CORPUS[1]])
    assert outcomes == ["new", "new", "updated", "new"]
    assert search(store, "占线") == ["2"]
    assert search(store, "接通") == ["7"]
    assert search(store, "热线") == ["7", "2", "1"]
    assert store.search(SearchQuery(text="打不通")).total == 1
    assert store.upsert_many([rewrite, first, first]) == ["unchanged", "updated", "unchanged"]
    assert store.get(first.id).urls == [first.url]
    assert search(store, "接通") == []
    assert search(store, "占线") == ["7", "2"]


def test_snippets_highlight_the_terms(store):
    store.upsert_many(CORPUS)
    (hit,) = store.search(SearchQuery(text='"态度恶劣"')).hits
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["态度恶劣"]


def _incident(n: int, level: str, score: int, last_day: int) -> IncidentRecord:
    return IncidentRecord(
        id=f"inc-{n}", title=f"事件{n}", first_document_id="d", first_url="u",
        first_source=None, first_outlet=None, first_seen=datetime(2026, 11, 1),
        last_seen=datetime(2026, 11, last_day), documents=n, sources=1, level=level, score=score,
        reasons=[f"原因{n}"],
    )


def test_incidents_replace_get_and_list(store):
    store.replace_incidents([_incident(1, "blue", 1, 2), _incident(2, "red", 9, 3)])
    store.replace_incidents(
        [_incident(3, "orange", 6, 5), _incident(4, "orange", 7, 4), _incident(5, "blue", 2, 9)]
    )
    assert [i.id for i in store.list_incidents()] == ["inc-4", "inc-3", "inc-5"]
    assert [i.id for i in store.list_incidents(levels=("blue",))] == ["inc-5"]
    assert [i.id for i in store.list_incidents(since=datetime(2026, 11, 5))] == ["inc-3", "inc-5"]
    assert [i.id for i in store.list_incidents(limit=1, offset=1)] == ["inc-3"]
    assert store.get_incident("inc-4") == _incident(4, "orange", 7, 4)
    with pytest.raises(IncidentNotFound):
        store.get_incident("inc-2")
    assert store.stats()["incidents"] == 3


def test_set_incident_is_searchable(store):
    store.upsert_many(CORPUS)
    store.set_incident(CORPUS[0].id, "inc-x")
    assert search(store, incident_id="inc-x") == ["5", "1"]
    store.set_incident(CORPUS[0].id, None)
    assert search(store, incident_id="inc-x") == ["5"]


def test_a_document_joining_an_event_is_kept_relevant(store):
    plain = doc(8, "永修养猪场排污", "村民举报养猪场排污后信息遭泄露。", relevant=False,
                reasons=["model:0.40"])
    store.upsert_many([plain])
    assert search(store, text="养猪场") == []
    store.set_incident(plain.id, "inc-x", joined=True)
    store.set_incident(plain.id, "inc-x", joined=True)  # placed again: one reason
    kept = store.get(plain.id)
    assert kept.relevant and kept.incident_id == "inc-x"
    assert kept.reasons == ["model:0.40", JOINED_EVENT]
    assert search(store, text="养猪场") == ["8"]


def test_fetch_times(store):
    moved = doc(7, "周口热线推诿", "工单转办三次无人处理，12345热线推诿。",
                fetched_url="https://news.example.cn/old/7.html")
    store.upsert(moved)
    assert store.last_fetched(moved.url) == moved.fetched_at
    assert store.last_fetched("https://news.example.cn/old/7.html") == moved.fetched_at
    later = moved.fetched_at + timedelta(hours=5)
    store.record_fetch("https://news.example.cn/list.html", later)
    assert store.last_fetched("https://news.example.cn/list.html") == later
    assert store.last_fetched("https://news.example.cn/never.html") is None


def test_iter_documents_oldest_first_and_since(store):
    store.upsert_many(reversed(CORPUS))
    assert [d.url[-6:] for d in store.iter_documents()] == [f"{n}.html" for n in range(1, 6)]
    since = [d.url[-6:] for d in store.iter_documents(since=datetime(2026, 11, 4))]
    assert since == ["4.html", "5.html"]


def test_stats(store):
    store.upsert_many(CORPUS)
    stats = store.stats()
    assert (stats["backend"], stats["documents"], stats["relevant"]) == (store.backend, 5, 4)
    assert stats["sources"] == {"news-a": 2, "news-b": 1, "news-c": 1, "fiction": 1}


# -- every write path, then search ------------------------------------------------------
# Each way a document is written again (incident assignment, engagement refresh,
# reanalysis, a copy) must leave it found by its text exactly as before.

WRITE_PATH_QUERIES = {
    "12345": ["6", "5", "1"],
    "热线": ["6", "5", "2", "1"],
    '"态度恶劣"': ["1"],
    "热线 NOT 新乡": ["6", "2"],
    "骂 OR 推诿": ["5", "3", "1"],
    "转发": ["6"],
}
ALL_DOCUMENTS_QUERIES = {"电话": ["4"], "12345": ["6", "5", "1"], "热线": ["6", "5", "2", "1"]}


def write_path_answers(store: Store) -> dict[str, list[str]]:
    answers = {text: search(store, text) for text in WRITE_PATH_QUERIES}
    answers.update({f"--all {t}": search(store, t, relevant_only=False)
                    for t in ALL_DOCUMENTS_QUERIES})
    return answers


EXPECTED_WRITE_PATH_ANSWERS = {
    **WRITE_PATH_QUERIES,
    **{f"--all {text}": ids for text, ids in ALL_DOCUMENTS_QUERIES.items()},
}


def test_every_write_path_then_search(store, tmp_path):
    from hotwatch.api.incidents import update_incidents
    from index.copy import copy_store

    post = doc(6, "转发：12345热线三天没人接", "市民转发称12345热线打不通。", kind="post",
               reposts=3, hotlines=["12345"], categories=["unreachable"],
               parent_url=CORPUS[1].url)
    store.upsert_many([*CORPUS, post])
    assert write_path_answers(store) == EXPECTED_WRITE_PATH_ANSWERS

    update_incidents(store, now=datetime(2026, 11, 10, tzinfo=UTC))  # incident assignment
    assert {d.incident_id for d in store.iter_documents() if d.relevant} != {None}
    assert write_path_answers(store) == EXPECTED_WRITE_PATH_ANSWERS

    store.set_incident(CORPUS[2].id, "inc-y")  # a single assignment
    assert write_path_answers(store) == EXPECTED_WRITE_PATH_ANSWERS
    assert search(store, incident_id="inc-y") == ["3"]

    post.reposts, post.likes = 300, 1200  # engagement refresh of a post
    assert store.upsert(post) == "updated"
    assert write_path_answers(store) == EXPECTED_WRITE_PATH_ANSWERS

    reanalysed = store.get(CORPUS[0].id)  # reanalysis re-puts the stored document
    reanalysed.relevance, reanalysed.plans = 0.95, ["热线服务问题"]
    store.upsert(reanalysed)
    assert write_path_answers(store) == EXPECTED_WRITE_PATH_ANSWERS
    assert store.get(reanalysed.id).plans == ["热线服务问题"]

    copied = open_store({"backend": "sqlite"}, tmp_path / "copy")
    try:
        copy_store(store, copied)
        assert write_path_answers(copied) == EXPECTED_WRITE_PATH_ANSWERS
    finally:
        copied.close()
