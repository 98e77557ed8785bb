"""Relevance through events: a page scored under the relevance threshold that is a
rewrite or follow-up of reports judged relevant joins their incident and is relevant
through it; it never founds one, and an unrelated page stays out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
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

ORIGINAL = (
    "举报养猪场排污后老板找上门 永修村民质疑举报信息遭泄露",
    "9月3日，九江市永修县柘林镇黄岭村村民陈先生拨打12345热线，举报村里一家养猪场污水直排。"
    "两天后，养猪场老板就找上门，对他说“你举报的事我都知道了”。陈先生说，他举报时要求保密，"
    "工单编号为2309031147。永修县12345中心称已介入调查。",
)
# Another outlet's comment: other words, the same particulars (a rewrite).
COMMENT = (
    "【热评】举报人信息为何屡屡“裸奔”",
    "据媒体报道，江西一位村民向12345热线举报养猪场排污后，老板当面对他说“你举报的事我都知道了”。"
    "这位来自黄岭村的村民称，当时曾反复要求为其保密，工单编号2309031147。"
    "保护举报人，应成为基层治理的底线。",
)
# The county's response: the same county and failure kind, few words in common (a follow-up).
RESPONSE = (
    "永修县通报一起泄露举报人信息问题",
    "经核查，一名干部违反保密纪律，把群众通过12345反映的问题和联系方式告知被反映对象，现已停职检查。"
    "通报指出，该干部在办理工单过程中，擅自将来电人姓名和手机号码发给涉事企业负责人，造成不良影响。"
    "县委要求全县各单位举一反三，严格落实保密制度，畅通监督渠道。",
)
# Another event of the province that week.
OTHER = (
    "赣州一市民举报餐馆油烟扰民 接线员称“正在调查核实”后再无下文",
    "赣州市章贡区市民刘女士多次拨打12345热线，举报楼下餐馆油烟直排，接线员每次都说“正在调查核实”，"
    "可一个月过去没有任何回复。",
)
START = datetime(2023, 9, 5, 9, 0)


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
