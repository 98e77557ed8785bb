"""Where a place name stands: streets, towns, outlets and navigation bars named after places."""

from __future__ import annotations

import pytest

from analysis.tags import regions
from analysis.tags.region_context import navigation_cell, outlet_name, river_side, street_name


@pytest.mark.parametrize(
    "text",
    [
        "家住长江西路的居民拨打12345反映广场舞噪音，一直无人处理。",
        "中山西路派出所接到报警后，市民又拨打热线投诉，至今没人管。",
        "延安三路一家五金店占道经营，市民拨打12345投诉多次无果。",
    ],
)
def test_a_street_named_after_a_place_is_not_that_place(text: str) -> None:
    assert regions(text) == []


def test_a_town_named_after_a_city_is_not_the_city() -> None:
    text = "连霍高速朝阳镇连接线涵洞塌方，网友反映无人回应。回复部门：孟津区"
    assert regions(text)[0] == {"province": "河南省", "city": "洛阳市", "county": "孟津区"}


def test_the_side_of_a_river_is_not_a_province() -> None:
    text = "太原市晋源区冶峪河北沿岸下穿通道顶部有冰柱悬垂，市民拨打12345反映。"
    assert regions(text)[0]["province"] == "山西省"
    assert regions("黄河南岸一处堤坝渗水，村民拨打热线无人接听。") == []
    assert regions("河南南阳一市民拨打12345反映问题。")[0]["province"] == "河南省"


def test_a_sub_district_office_named_after_a_city_is_not_the_city() -> None:
    text = "桃园办事处大马村村民被困，拨打当地救援电话无法接通。涿州市防汛办回应。"
    assert regions(text)[0]["county"] == "涿州市"


def test_a_street_inside_a_named_district_still_places_the_page() -> None:
    text = "达川区南大街一家会所噪音扰民，居民拨打12345投诉。"
    assert regions(text)[0]["county"] == "达川区"


def test_ordinary_words_after_a_place_keep_it() -> None:
    assert regions("北京街头的公共电话响个不停，市民拨打热线也没人接。")[0]["province"] == "北京市"
    assert regions("河南乡村道路破损，村民拨打12345无人处理。")[0]["province"] == "河南省"
    assert regions("郑州网友拨打12345反映噪音")[0]["city"] == "郑州市"
    text = "郑州网约车司机拒载，乘客拨打12345投诉无人处理，北京一家媒体报道此事。"
    assert regions(text)[0]["city"] == "郑州市"


def test_an_outlet_name_places_the_page_only_when_nothing_else_does() -> None:
    text = "学生吃的饭上爬满苍蝇？湖南省邵阳市洞口县一中学家长拨打热线反映，教育局回应。"
    assert regions(text, title="杭州网")[0]["province"] == "湖南省"
    assert regions("郴州新闻网讯 市民拨打12345反映路灯不亮")[0]["city"] == "郴州市"


def test_a_place_alone_in_a_navigation_bar_is_not_a_mention() -> None:
    title = "首页| 滚动| 国内| 国际| 港澳| 台湾| 华人"
    text = "兰州一小区居民致电反映，城关区东岗世纪新村附近弥漫刺鼻气味，燃气公司排除泄漏。"
    assert regions(text, title=title)[0]["province"] == "甘肃省"


def test_context_predicates() -> None:
    assert street_name("长江西路口", 3)
    assert not street_name("达川区南大街", 3)  # a full name: the street is inside it
    assert not street_name("北京街头", 2)
    assert outlet_name("杭州网 新闻", 2)
    assert not outlet_name("郑州网友", 2)
    assert not outlet_name("郑州网约车", 2)
    assert navigation_cell("国内| 台湾| 华人", 4, 6)
    assert not navigation_cell("国内| 台湾省一市民", 4, 6)
    assert river_side("黄河南岸", 1, 3)
    assert not river_side("河南岸边", 0, 2)  # nothing before it names a river
    assert not river_side("黄河南部", 1, 3)


def test_a_count_is_not_a_regional_hotline() -> None:
    assert regions("8月份，共办理各类工单1823件，其中省级工单61件，回复率100%。") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("海南州区域内直接拨打12345，区域外拨打0974-12345。", ("青海省", "海南藏族自治州")),
        ("红河州一村民拨打12345反映问题无人处理。", ("云南省", "红河哈尼族彝族自治州")),
    ],
)
def test_autonomous_prefectures_by_their_everyday_names(
    text: str, expected: tuple[str, str]
) -> None:
    region = regions(text)[0]
    assert (region["province"], region["city"]) == expected


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("劳工事务局将在公众假期特设紧急热线电话，协助市民处理劳资纠纷。", "澳门特别行政区"),
        ("他向廉政署检举后，竟遭新竹地检署指名道姓通知做笔录。", "台湾省"),
        ("露天燃烧废弃物违反空气污染防制法，处1200元以上罚锾。", "台湾省"),
        ("港铁站长称车厢的事他不管，热线等了四天无人回复。", "香港特别行政区"),
    ],
)
def test_more_words_used_only_in_hong_kong_macau_and_taiwan(text: str, province: str) -> None:
    assert regions(text)[0]["province"] == province


def test_a_place_next_to_a_channel_or_failure_outweighs_places_merely_mentioned() -> None:
    text = (
        "哈尔滨市民反映南岗区政府门前步道湿滑，哈尔滨市政府网站回复可以绕行。"
        "最新的一起出在新乡，新乡市长信箱回复市民称此事不归他们管。"
    )
    assert regions(text)[0]["city"] == "新乡市"


def test_the_source_line_places_the_page_only_when_nothing_else_does() -> None:
    text = "来源：南漳县行政审批局\n一、本月受理情况：共办理各类工单1823件，回复率100%。"
    assert regions(text)[0]["county"] == "南漳县"
    text = "来源：南京日报 记者获悉，扬州市民拨打12345无人接听"
    assert regions(text)[0]["city"] == "扬州市"
