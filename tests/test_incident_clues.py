"""Reports of one event worded differently: joined by their particulars, or by place,
failure kind and week; different events sharing a detail or two stay apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from analysis.incidents import (
    NEAR_DUPLICATE,
    IncidentFeatures,
    IncidentIndex,
    IncidentState,
    assign_incidents,
    fingerprint,
)
from analysis.incidents.clues import clues
from analysis.incidents.minhash import similarity
from analysis.incidents.placing import FOLLOW_UP_OVERLAP, SAME_SPOT_OVERLAP
from analysis.tags import categories, hotlines, regions

ORIGINAL = (
    "举报养猪场排污后老板找上门 永修村民质疑举报信息遭泄露",
    "9月3日，九江市永修县柘林镇黄岭村村民陈先生拨打12345热线，举报村里一家养猪场污水直排。"
    "两天后，养猪场老板就找上门，对他说“你举报的事我都知道了”。陈先生说，他举报时要求保密，"
    "工单编号为2309031147。永修县12345中心称已介入调查。",
)
# Another outlet's comment piece: other words, only the province named, the same particulars.
COMMENT = (
    "【热评】举报人信息为何屡屡“裸奔”",
    "据媒体报道，江西一位村民向12345热线举报养猪场排污后，老板当面对他说“你举报的事我都知道了”。"
    "这位来自黄岭村的村民称，当时曾反复要求为其保密，工单编号2309031147。"
    "保护举报人，应成为基层治理的底线。",
)
# Another event of the province that week, quoting the same stock phrase as a third report.
OTHER = (
    "赣州一市民举报餐馆油烟扰民 接线员称“正在调查核实”后再无下文",
    "赣州市章贡区市民刘女士多次拨打12345热线，举报楼下餐馆油烟直排，接线员每次都说“正在调查核实”，"
    "可一个月过去没有任何回复。",
)
# The county's response: same county and failure kind, few words in common.
RESPONSE = (
    "永修县通报一起泄露举报人信息问题",
    "经核查，一名干部违反保密纪律，把群众通过12345反映的问题和联系方式告知被反映对象，现已停职检查。"
    "通报指出，该干部在办理工单过程中，擅自将来电人姓名和手机号码发给涉事企业负责人，造成不良影响。"
    "县委要求全县各单位举一反三，严格落实保密制度，畅通监督渠道。",
)
START = datetime(2023, 9, 5, 9, 0)


def _features(doc_id: str, doc: tuple[str, str], days: float) -> IncidentFeatures:
    title, text = doc
    return IncidentFeatures(
        doc_id=doc_id,
        title=title,
        text=text,
        published_at=START + timedelta(days=days),
        regions=regions(text, title=title),
        hotlines=hotlines(f"{title}\n{text}"),
        categories=categories(text, title=title),
    )


def test_clues_are_figures_quoted_words_and_named_localities() -> None:
    found = clues(*ORIGINAL)
    assert {"n:2309031147", "q:你举报的事我都知道了", "l:黄岭村", "l:柘林镇"} <= found
    # Not a clue: the hotline, a date, a villager (村民), a year or a round number.
    assert not any(c in found for c in ("n:12345", "l:永修村", "l:黄岭村民"))
    assert clues("", "2023年，全市共受理来电1000件，12345热线接通率提升。") == frozenset()


def test_a_rewrite_from_another_outlet_joins_by_its_particulars() -> None:
    original, comment = _features("a", ORIGINAL, 0), _features("b", COMMENT, 1)
    # Neither a near-duplicate nor placed in the same city: only the particulars tie them.
    assert similarity(fingerprint(original).signature, fingerprint(comment).signature) < (
        NEAR_DUPLICATE
    )
    assert "city" not in comment.regions[0]
    first, second = assign_incidents([original, comment])
    assert first is not None and second == first


def test_one_shared_detail_is_not_enough() -> None:
    index = IncidentIndex()
    other = _features("c", OTHER, 1)
    stock_phrase = replace(
        _features("b", COMMENT, 1), text=COMMENT[1] + "热线回复称“正在调查核实”。"
    )
    founding = index.add(other)
    assert index.add(stock_phrase) != founding


def test_details_shared_in_another_province_take_three() -> None:
    hunan = [{"province": "湖南省"}]
    two = replace(
        _features("b", COMMENT, 1),
        text=COMMENT[1].replace("工单编号2309031147。", ""),
        regions=hunan,
    )
    three = replace(_features("b2", COMMENT, 1), regions=hunan)
    assert len(clues(two.title, two.text) & clues(*ORIGINAL)) == 2

    for doc, joins in ((two, False), (three, True)):
        index = IncidentIndex()
        founding = index.add(_features("a", ORIGINAL, 0))
        assert (index.add(doc) == founding) is joins


def test_same_county_and_failure_kind_within_a_week_needs_half_the_overlap() -> None:
    original = _features("a", ORIGINAL, 0)
    overlap = _overlap(original, _features("e", RESPONSE, 2))
    assert SAME_SPOT_OVERLAP <= overlap < FOLLOW_UP_OVERLAP

    index = IncidentIndex()
    founding = index.add(original)
    assert index.add(_features("e", RESPONSE, 2)) == founding
    later = IncidentIndex()
    later_founding = later.add(original)
    assert later.add(_features("e", RESPONSE, 20)) != later_founding


def test_clues_and_spots_are_kept_with_the_stored_state() -> None:
    index = IncidentIndex()
    incident_id = index.add(_features("a", ORIGINAL, 0))
    state = index.incidents[incident_id]
    again = IncidentState.from_json(state.to_json())
    assert again.clues == state.clues and "l:黄岭村" in again.clues
    assert again.spots == {"永修县|privacy_leak"}
    assert "c:l:黄岭村" in again.keys() and again.has_key("c:l:黄岭村")
    # A state written before clues existed still loads.
    older = {k: v for k, v in state.to_json().items() if k not in ("clues", "provinces", "spots")}
    assert IncidentState.from_json(older).clues == set()


def _overlap(a: IncidentFeatures, b: IncidentFeatures) -> float:
    first, second = fingerprint(a).bigrams, fingerprint(b).bigrams
    return len(first & second) / min(len(first), len(second))


def test_pages_of_one_site_do_not_join_by_the_details_they_share() -> None:
    """One site's pages share its boilerplate (a quoted slogan, a stock locality): on the
    demo site, 50 of 52 relevant reports from a dozen cities became one incident."""
    original = replace(_features("a", ORIGINAL, 0), url="https://www.news-a.cn/1.html")
    same_site = replace(_features("b", COMMENT, 1), url="https://m.news-a.cn/2.html")
    other_site = replace(_features("b", COMMENT, 1), url="https://news-b.cn/9.html")
    for doc, joins in ((same_site, False), (other_site, True)):
        index = IncidentIndex()
        founding = index.add(original)
        assert (index.add(doc) == founding) is joins
    state = index.incidents[founding]
    assert IncidentState.from_json(state.to_json()).hosts == {"news-a.cn", "news-b.cn"}
