"""Incidents: reposts, rewrites and follow-ups of one event share an id; other events don't."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from analysis.incidents import NEAR_DUPLICATE, IncidentFeatures, IncidentIndex, assign_incidents
from analysis.incidents.minhash import minhash, similarity
from analysis.tags import categories, hotlines, regions
from hotwatch.api.incidents import update_incidents
from index import Store, StoredDocument, open_store

STORY = (
    "郑州一市民拨打12345投诉噪音 接线员不耐烦称“你烦不烦”",
    "5月12日晚，郑州市金水区居民王女士拨打12345热线，投诉楼下一家KTV深夜噪音扰民。"
    "王女士说，她刚说明情况，接线员就很不耐烦，反问她“你烦不烦，天天打”，随后挂断电话。"
    "王女士称，她已经是第三次投诉这家KTV，此前两次工单都显示已转交金水区城管局，"
    "但噪音问题一直没有解决。记者就此联系郑州市12345热线，工作人员表示将调取录音核实。",
)
REPOST = (
    "【郑州12345接线员称市民烦不烦】郑州一市民拨打12345投诉噪音 接线员不耐烦",
    "文章插图\n"
    "5月12日晚，郑州市金水区居民王女士拨打12345热线，投诉楼下一家KTV深夜噪音扰民。"
    "王女士说，她刚说明情况，接线员就很不耐烦，反问她“你烦不烦，天天打”，随后挂断电话。\n"
    "文章插图\n"
    "王女士称，她已经是第三次投诉这家KTV，此前两次工单都显示已转交金水区城管局，"
    "但噪音问题一直没有解决。\n"
    "推荐阅读\n- 夏天吃西瓜的十大好处\n- 二手车保值率排行榜出炉\n- 明星同款穿搭火了\n"
    "更多的热点资讯请访问首页",
)
REWRITE = (
    "投诉KTV噪音反被嫌“烦” 郑州12345接线员态度引热议",
    "近日，郑州金水区一位居民因KTV深夜噪音多次拨打12345热线，却被接线员一句“你烦不烦”"
    "顶了回来，电话随即被挂断。当事人王女士表示，KTV噪音问题至今没有解决。"
    "不少网友认为，热线接线员代表政府形象，不能对反映问题的市民不耐烦。",
)
RESPONSE = (
    "郑州市12345热线通报：涉事接线员停岗培训 KTV噪音已整改",
    "针对网友反映的“12345接线员称市民烦不烦”一事，郑州市12345热线服务中心调取录音核实，"
    "情况属实。涉事接线员服务态度生硬，对其作停岗培训处理，中心负责人已向王女士致歉。"
    "金水区城管局联合辖区派出所对该KTV进行检查，责令其加装隔音设施，噪音问题已整改。",
)
OTHER_CITY = (
    "长沙12345热线连续一周打不通 市民：排队两小时无人接听",
    "长沙市岳麓区的刘先生说，他家所在片区停水已有三天，从6月1日起他每天拨打12345热线，"
    "不是占线就是排队两小时后自动挂断，一直无人接听。长沙市12345热线工作人员回应称，"
    "近期话务量激增，正在增加坐席。",
)
SAME_CITY_LATER = (
    "郑州市民反映12345工单被虚假办结 路灯坏了半年没人修",
    "郑州市二七区市民赵先生说，他今年1月通过12345热线反映小区门口路灯损坏，"
    "工单很快显示已办结，回访时工作人员还要求他给满意评价，可路灯至今没有修好。",
)
UNRELATED = ("社区举办邻里文化节", "居民欢聚一堂，观看文艺演出，现场气氛热烈。")
START = datetime(2023, 5, 13, 9, 0)


def _features(doc_id: str, doc: tuple[str, str], days: float) -> IncidentFeatures:
    title, text = doc
    return IncidentFeatures(
        relevant=bool(hotlines(f"{title}\n{text}")),  # as _stored judges it
        doc_id=doc_id,
        title=title,
        text=text,
        published_at=START + timedelta(days=days),
        regions=regions(text, title=title),
        hotlines=hotlines(f"{title}\n{text}"),
        categories=categories(text, title=title),
    )


def _corpus() -> list[IncidentFeatures]:
    return [
        _features("https://news.example.cn/zz-story", STORY, 0),
        _features("https://farm.example.com/a/123", REPOST, 0.3),
        _features("https://cs.example.cn/hotline-unreachable", OTHER_CITY, 0.5),
        _features("https://portal.example.cn/rewrite", REWRITE, 1),
        _features("https://gov.example.cn/tongbao", RESPONSE, 3),
        _features("https://news.example.cn/zz-streetlight", SAME_CITY_LATER, 60),
        _features("https://news.example.cn/festival", UNRELATED, 2),
    ]


def test_one_event_shares_an_incident_and_other_events_do_not() -> None:
    ids = assign_incidents(_corpus())
    story, repost, other_city, rewrite, response, same_city_later, unrelated = ids
    assert story is not None
    assert repost == story
    assert rewrite == story
    assert response == story
    assert other_city not in (None, story)
    assert same_city_later not in (None, story, other_city)
    assert unrelated is None


def test_incident_id_comes_from_the_founding_document_and_is_stable() -> None:
    first = assign_incidents(_corpus())
    second = assign_incidents(_corpus())
    assert first == second
    assert all(i is None or i.startswith("inc-") for i in first)


def test_batch_order_does_not_change_ids() -> None:
    corpus = _corpus()
    shuffled = corpus[::-1]
    by_doc = dict(zip((d.doc_id for d in corpus), assign_incidents(corpus), strict=True))
    again = dict(zip((d.doc_id for d in shuffled), assign_incidents(shuffled), strict=True))
    assert by_doc == again


def test_index_rebuilt_from_stored_documents_gives_the_same_ids() -> None:
    corpus = sorted(_corpus()[:-1], key=lambda d: d.published_at or START)
    first = IncidentIndex()
    ids = [first.add(doc) for doc in corpus]
    rebuilt = IncidentIndex()
    assert [rebuilt.add(doc) for doc in corpus] == ids


def test_incremental_index_places_a_late_repost() -> None:
    index = IncidentIndex()
    founding = index.add(_features("a", STORY, 0))
    index.add(_features("b", OTHER_CITY, 0))
    assert index.add(_features("c", REPOST, 5)) == founding


def test_same_place_outside_the_time_window_is_a_new_incident() -> None:
    index = IncidentIndex()
    founding = index.add(_features("a", STORY, 0))
    assert index.add(_features("b", REWRITE, 400)) != founding


def test_unrelated_reports_sharing_a_phrase_are_not_near_duplicates() -> None:
    shanghai = (
        "上海闵行某小区居民反映12345热线工单被虚假办结，物业问题一直没有解决，居民多次投诉无果。"
    )
    chongqing = "重庆渝北某小区居民称拨打12345热线无人接听，排队半小时后被挂断，群众意见很大。"
    assert similarity(minhash(shanghai), minhash(chongqing)) < 0.2
    copy = "【转载】" + shanghai + "更多热点资讯请访问首页。推荐阅读：本地新闻"
    assert similarity(minhash(shanghai), minhash(copy)) >= NEAR_DUPLICATE


def _stored(url: str, doc: tuple[str, str], days: float, **fields: object) -> StoredDocument:
    title, text = doc
    moment = (START + timedelta(days=days)).replace(tzinfo=UTC)
    relevant = bool(hotlines(f"{title}\n{text}"))
    return StoredDocument(
        url=url,
        title=title,
        text=text,
        fetched_at=moment,
        published_at=moment,
        relevant=relevant,
        regions=regions(text, title=title),
        hotlines=hotlines(f"{title}\n{text}"),
        categories=categories(text, title=title),
        **fields,  # type: ignore[arg-type]
    )


def _post(url: str, parent: str, text: str, days: float, **counts: int) -> StoredDocument:
    return _stored(url, ("", text), days, kind="post", parent_url=parent, **counts)


def _stored_corpus() -> list[StoredDocument]:
    story = "https://news.example.cn/zz-story"
    return [
        _stored(story, STORY, 0),
        _stored("https://farm.example.com/a/123", REPOST, 0.3),
        _stored("https://cs.example.cn/hotline-unreachable", OTHER_CITY, 0.5),
        _stored("https://portal.example.cn/rewrite", REWRITE, 1),
        _post("https://weibo.example.cn/b", story, "转发微博 太气人了", 1.5, reposts=800),
        _post("https://weibo.example.cn/c", "https://weibo.example.cn/b", "转发微博", 2, likes=400),
        _stored("https://news.example.cn/zz-streetlight", SAME_CITY_LATER, 60),
        _stored("https://news.example.cn/festival", UNRELATED, 2),
    ]


def _memberships(store: Store) -> dict[str, str | None]:
    return {doc.url: doc.incident_id for doc in store.iter_documents()}


def _store_with(path: Path, docs: list[StoredDocument]) -> Store:
    store = open_store({}, path)
    store.upsert_many(docs)
    return store


def test_repost_chain_joins_the_original_incident(tmp_path: Path) -> None:
    store = _store_with(tmp_path, _stored_corpus())
    update_incidents(store)
    ids = _memberships(store)
    story = ids["https://news.example.cn/zz-story"]
    assert story is not None
    assert ids["https://weibo.example.cn/b"] == story
    assert ids["https://weibo.example.cn/c"] == story
    assert ids["https://news.example.cn/festival"] is None
    store.close()


def test_a_repost_of_an_unknown_page_stays_out() -> None:
    index = IncidentIndex()
    index.add(_features("a", STORY, 0))
    stray = IncidentFeatures(
        "b", "", "转发微博", START, parent_url="https://elsewhere.cn/x", relevant=False
    )
    assert assign_incidents([stray]) == [None]
    assert index.incident_of(stray.parent_url) is None


def test_every_relevant_report_is_placed_as_a_store_places_it() -> None:
    """Relevance decides, not the words: a report judged relevant that names no hotline or
    failure word still gets an incident (the evaluation used to leave such pages out,
    though a store always placed them), and one judged not relevant gets none."""
    plain_words = IncidentFeatures("a", "社区通报", "某街道的电话反映渠道长期无人处理。", START)
    assert not plain_words.hotlines and not plain_words.categories
    assert assign_incidents([plain_words])[0] is not None
    assert assign_incidents([replace(plain_words, relevant=False)]) == [None]


def test_incident_reach_sums_posts_and_raises_the_level(tmp_path: Path) -> None:
    docs = _stored_corpus()
    store = _store_with(tmp_path, docs)
    now = (START + timedelta(days=3)).replace(tzinfo=UTC)
    update_incidents(store, now=now)
    story = _memberships(store)["https://news.example.cn/zz-story"]
    assert story is not None
    quiet = store.get_incident(story)
    assert quiet.reach == 1200
    viral = _post("https://weibo.example.cn/d", "https://weibo.example.cn/c", "转发", 2.5)
    store.upsert_many([replace(viral, reposts=60_000, comments=30_000, likes=20_000)])
    update_incidents(store, now=now)
    loud = store.get_incident(story)
    assert loud.reach == 111_200
    assert loud.score == quiet.score + 2
    assert any(r.startswith("social reach 111200") for r in loud.reasons)
    store.close()
