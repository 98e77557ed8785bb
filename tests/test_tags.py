"""Hotline numbers, regions and failure categories found in Chinese news text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis.tags import CATEGORIES, categories, hotlines, regions
from analysis.tags.gazetteer import load_gazetteer
from analysis.tags.script import simplified

# --- hotlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市民拨打12345热线反映小区停水", ["12345"]),
        ("她先后拨打了市长热线和12345政务服务便民热线", ["12345"]),
        ("可拨打市民热线或政务服务热线咨询", ["12345"]),
        ("消费者投诉热线12315接到投诉后", ["12315"]),
        ("他拨打12345、12315和95598都没人接", ["12345", "12315", "95598"]),
        ("向12369环保举报热线举报偷排，又打了12345", ["12369", "12345"]),
        ("电话１２３４５一直占线", ["12345"]),
        ("市长公开电话接到投诉", ["12345"]),
        ("拨打12306客服电话退票", ["12306"]),
        ("遇到紧急情况请拨打110报警", ["110"]),
        ("工号12345的接线员", ["12345"]),
    ],
)
def test_hotlines_are_normalised_in_order_of_first_mention(text: str, expected: list[str]) -> None:
    assert hotlines(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "联系电话0373-12345678，工作时间拨打",
        "共涉及资金123456元",
        "订单号A12345B已发货",
        "罚款12345元",
        "系数为1.12345",
        "110kV变电站检修，乘坐110路公交绕行",
        "本报讯 今年全市新增就业岗位12万个",
    ],
)
def test_numbers_inside_longer_strings_are_not_hotlines(text: str) -> None:
    assert hotlines(text) == []


# --- regions ----------------------------------------------------------------------------


def test_short_city_name_resolves_to_province_and_official_city() -> None:
    assert regions("新乡一市民拨打12345热线，接线员忘挂电话骂人")[0] == {
        "province": "河南省",
        "city": "新乡市",
    }


def test_municipality_is_both_province_and_city() -> None:
    assert regions("北京市民王先生反映")[0] == {"province": "北京市", "city": "北京市"}


def test_autonomous_region_short_form() -> None:
    assert regions("广西南宁一位市民投诉")[0] == {"province": "广西壮族自治区", "city": "南宁市"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "京",
        "河南",
        "河南省新乡市长垣市一居民拨打12345",
        "广东省广州市南沙区、内蒙古自治区呼和浩特市|甘泉县|盐边县",
        "乌鲁木齐县和乌鲁木齐市，延边朝鲜族自治州延边州 😀 黄河南岸",
        "末尾是浦东",
        "\ud800河北\U0001f600湖南",
    ],
)
def test_compiled_place_scan_finds_what_the_numpy_scan_finds(text: str) -> None:
    gazetteer = load_gazetteer()
    if gazetteer.finder is None:
        pytest.skip("analysis/tags/_places.pyx is not built (pip install -e .)")
    assert gazetteer.find(text) == replace(gazetteer, finder=None).find(text)


def test_county_is_identified() -> None:
    assert regions("上海浦东新区一居民拨打12345")[0] == {
        "province": "上海市",
        "city": "上海市",
        "county": "浦东新区",
    }
    assert regions("河南省新乡市长垣市一居民拨打12345")[0] == {
        "province": "河南省",
        "city": "新乡市",
        "county": "长垣市",
    }


def test_two_character_county_short_form_needs_its_province_nearby() -> None:
    assert regions("家住北京通州的王先生拨打12345")[0] == {
        "province": "北京市",
        "city": "北京市",
        "county": "通州区",
    }
    assert regions("江苏南通通州的王先生拨打12345")[0] == {
        "province": "江苏省",
        "city": "南通市",
        "county": "通州区",
    }
    assert regions("家住通州的王先生拨打12345") == []


def test_shared_district_names_follow_the_city_named_nearby() -> None:
    assert regions("福州市鼓楼区居民反映")[0]["city"] == "福州市"
    assert regions("南京市鼓楼区居民反映")[0]["city"] == "南京市"
    assert regions("辽宁朝阳市民反映")[0] == {"province": "辽宁省", "city": "朝阳市"}
    assert regions("北京朝阳区一居民反映")[0]["county"] == "朝阳区"


def test_shared_district_names_alone_go_to_the_city_of_highest_rank() -> None:
    # Municipality, then sub-provincial city, then provincial capital; a tie stays unplaced.
    assert regions("宝山区一居民拨打12345")[0]["province"] == "上海市"
    assert regions("朝阳区一居民反映")[0]["province"] == "北京市"
    assert regions("龙华区一居民反映")[0]["city"] == "深圳市"
    assert regions("鼓楼区一居民反映")[0]["city"] == "南京市"
    assert regions("城关区一居民反映") == []  # 拉萨, 兰州: two capitals


def test_a_short_form_acting_as_a_place_needs_no_parent() -> None:
    assert regions("高唐执法局及时受理投诉热线")[0]["county"] == "高唐县"
    assert regions("迁安一市民拨打热线无人接听")[0]["city"] == "唐山市"
    assert regions("高唐的风景很好") == []
    # The office word must follow the name, not be part of a word that begins with it.
    assert regions("公安局回复了网友") == []


def test_provinces_answer_to_their_other_names() -> None:
    assert regions("齐鲁晚报记者获悉，居民拨打热线无人接听")[0] == {"province": "山东省"}
    assert regions("冀北电网供电公司服务热线打不通")[0] == {"province": "河北省"}


def test_taiwanese_words_place_a_page_in_taiwan() -> None:
    assert regions("彰縣黃姓男子打119專線求助，卻遭專線人員反問")[0]["province"] == "台湾省"
    assert regions("里長說已向區公所反映多次")[0]["province"] == "台湾省"


def test_common_words_are_not_places() -> None:
    assert regions("社会长治久安，天下大同，吃了一个三明治，白银价格上涨") == []


def test_failure_place_wins_over_places_merely_mentioned() -> None:
    title = "郑州一市民拨打12345热线遭接线员辱骂"
    text = (
        "近日，郑州市民张先生拨打12345热线反映噪音扰民，接线员态度恶劣。"
        "此前，北京、上海、广州等地也曾发生类似事件，北京有关部门对涉事人员作出处理。"
        "专家指出，北京和上海的经验值得借鉴。"
    )
    found = regions(text, title=title)
    assert found[0] == {"province": "河南省", "city": "郑州市"}
    assert {"province": "北京市", "city": "北京市"} in found


def test_place_next_to_the_hotline_wins_in_the_body() -> None:
    text = (
        "据新华社报道，全国政务服务便民热线建设持续推进。"
        "然而记者调查发现，不少地方仍存在问题。在山东临沂，市民刘女士拨打12345热线，"
        "一连三天无人接听。"
    )
    assert regions(text)[0] == {"province": "山东省", "city": "临沂市"}


def test_no_places() -> None:
    assert regions("接线员态度恶劣，市民很不满") == []


def test_a_full_chain_of_divisions_counts_once() -> None:
    # 广东省广州市南沙区 is one place named three ways, not three mentions of 广东.
    text = (
        "平度市一村民拨打12345热线举报非法排放，随后被威胁。"
        "另一则新闻中，广东省广州市南沙区一家工厂刚通过验收。"
    )
    assert regions(text)[0]["province"] == "山东省"


def test_places_in_an_outlet_name_are_not_where_it_happened() -> None:
    text = "（5月7日《北京青年报》）举报人刚拨打12345热线，信息就被泄露给了被举报企业。"
    assert regions(text) == []
    assert regions("来源：南京日报 记者获悉，扬州市民拨打12345无人接听")[0]["city"] == "扬州市"


def test_a_menu_of_places_is_not_a_mention() -> None:
    menu = "|\n".join(
        "盐边县 呼和浩特市 甘泉县 包头市 乌海市 赤峰市 通辽市 鄂尔多斯市 呼伦贝尔市 "
        "巴彦淖尔市 乌兰察布市 四子王旗 准格尔旗".split()
    )
    text = f"南京市民拨打12345投诉江宁区工地噪音，话务员敷衍了事。\n相关阅读：\n{menu}|"
    assert regions(text)[0] == {"province": "江苏省", "city": "南京市", "county": "江宁区"}


def test_pinyin_glosses_do_not_split_place_names() -> None:
    text = "在濟(jì)寧市體育館西側，居民撥打熱線反映暖氣不熱，一直無人處(chǔ)理。"
    assert regions(text)[0] == {"province": "山东省", "city": "济宁市"}


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("申訴專員公署指1823未能有效處理跨部門投訴，每年逾五成來電未獲接聽。", "香港特别行政区"),
        ("本港市民致電熱線查詢，等候半小時仍無人接聽，食環署回覆稱不屬其職權。", "香港特别行政区"),
        ("佢話打咗十次熱線都冇人聽，唔知點算。", "香港特别行政区"),
        ("民眾撥打1999市民熱線反映路燈故障，市府拖了一星期才處理。", "台湾省"),
        ("衛福部設立的1925安心專線被網友爆難接通。", "台湾省"),
    ],
)
def test_hong_kong_and_taiwan_without_a_place_name(text: str, province: str) -> None:
    assert regions(text)[0]["province"] == province


def test_autonomous_districts_answer_to_their_everyday_names() -> None:
    assert regions("管城区一居民多次拨打12345反映违建")[0] == {
        "province": "河南省",
        "city": "郑州市",
        "county": "管城回族区",
    }
    assert regions("青龙县村民拨打12345无人接听")[0]["county"] == "青龙满族自治县"
    # 河南县 (青海) is not made from 河南蒙古族自治县: 河南县城 stays in 河南.
    assert regions("河南县城一居民拨打12345")[0] == {"province": "河南省"}


def test_a_year_is_not_a_regional_hotline() -> None:
    assert regions("1999年，市民拨打热线反映问题无人处理。") == []


def test_a_regional_hotline_number_stands_alone() -> None:
    from analysis.tags.region_markers import find_markers

    assert [m.start for m in find_markers("拨打1823，或21823、18231、1823年")] == [2]


def test_each_head_matches_as_the_group_it_writes_out() -> None:
    import re

    from analysis.tags.lexicon import each_head

    grouped = re.compile("(?:近日|日前|新)开通[^。]{0,3}热线")
    written = re.compile(each_head(("近日", "日前", "新"), "开通[^。]{0,3}热线"))
    text = "近日开通了热线。新开通热线，日前开通了新热线，近日新开通热线"
    assert [m.span() for m in written.finditer(text)] == [m.span() for m in grouped.finditer(text)]
    assert len(written.findall(text)) == 4


# --- categories -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "category"),
    [
        (
            "市民打12345投诉被骂“神经病”",
            "李女士拨打12345热线后，接线员忘记挂断电话，骂她“不要脸”“神经病”，态度恶劣。",
            "rudeness",
        ),
        (
            "12345热线连续三天打不通",
            "王先生说，他反复拨打12345热线，不是占线就是无人接听，一直忙音。",
            "unreachable",
        ),
        (
            "投诉被踢皮球：12345转了5个部门",
            "市民反映噪音问题，12345热线转办后，城管说不归我们管，环保部门又推给街道，各部门互相推诿。",
            "buck_passing",
        ),
        (
            "问题没解决，12345工单却显示已办结",
            "张先生反映的路灯问题一直没修好，却收到短信称工单已办结，工作人员还要求他给好评，这是典型的虚假办结。",
            "fake_closure",
        ),
        (
            "向12345举报违建后 信息遭泄露被举报人找上门",
            "陈先生通过12345热线举报邻居违建，没想到第二天被举报人就找上门，质问他为何举报，举报人信息被泄露。",
            "privacy_leak",
        ),
        (
            "反映问题半年 12345工单石沉大海",
            "刘先生半年前通过12345热线反映小区积水，至今没有回复，问题迟迟未解决，最后不了了之。",
            "no_resolution",
        ),
        (
            "12345热线形同虚设？",
            "有市民吐槽，本地12345热线形同虚设，对其服务表示不满，呼吁有关部门问责。",
            "other",
        ),
    ],
)
def test_each_category_is_found(title: str, text: str, category: str) -> None:
    found = categories(text, title=title)
    assert found[0] == category
    assert set(found) <= set(CATEGORIES)


def test_categories_are_sorted_by_evidence() -> None:
    title = "12345热线打不通 打通了又被推诿"
    text = "市民说，12345热线总是打不通，无人接听，好不容易打通了，接线员说不归我们管。"
    assert categories(text, title=title)[:2] == ["unreachable", "buck_passing"]


def test_no_categories_without_a_hotline() -> None:
    text = "小区物业推诿扯皮，业主反映的问题迟迟未解决，有业主骂物业不作为。"
    assert categories(text, title="业主与物业矛盾升级") == []


def test_no_categories_for_a_hotline_without_failure() -> None:
    text = "12345热线工作人员耐心解答了市民的咨询，问题当天就得到了解决。"
    assert categories(text, title="12345热线为民解忧") == []


# --- traditional script, police line, passwords, side categories -------------------------


def test_traditional_script_is_read_like_simplified() -> None:
    title = "問題沒解決卻顯示「已辦結」 合肥市民質疑12345工單虛假辦結"
    text = "安徽合肥市民陳女士反映，她家所在的蜀山區某小區電梯故障，三次通過12345熱線反映均被辦結。"
    assert categories(text, title=title)[0] == "fake_closure"
    assert regions(text, title=title)[0] == {
        "province": "安徽省",
        "city": "合肥市",
        "county": "蜀山区",
    }
    assert hotlines("市民撥打市長熱線反映") == ["12345"]


def test_a_stray_shared_character_does_not_convert_simplified_text() -> None:
    text = "显著改善后，12345热线接线员仍被指态度恶劣，干部后台乾坤未明。"
    assert simplified(text) == text
    assert categories(text) == ["rudeness"]


def test_conversion_matches_one_pass_of_every_key_longest_first() -> None:
    """Phrases, then the characters between them translated, as the single-pattern way."""
    import random
    import re

    from analysis.tags.lexicon import trie_pattern
    from analysis.tags.script import load_converter

    converter = load_converter()
    every_key = re.compile(trie_pattern(converter.table))
    rng = random.Random(1)
    keys = sorted(converter.table)
    text = "乾隆年間，顯著的畫一張說明檔案。" + "".join(
        rng.choice(keys) + rng.choice(["", "的", " ", "畫"]) for _ in range(3000)
    )
    expected = every_key.sub(lambda match: converter.table[match.group()], text)
    assert converter.convert(text) == expected
    assert converter.convert("乾隆年間") == "乾隆年间"


def test_simplified_keeps_the_last_texts_until_reset() -> None:
    from analysis.tags.script import reset_script_cache

    reset_script_cache()
    text = "市民撥打熱線反映問題沒解決"
    assert simplified(text) == simplified(text) == "市民拨打热线反映问题没解决"
    assert simplified.cache_info().hits == 1
    reset_script_cache()
    assert simplified.cache_info().currsize == 0


def test_the_police_line_is_hotline_context() -> None:
    text = "她多次拨打110报警电话，十多次都是无人接听。"
    assert categories(text) == ["unreachable"]


def test_twelve_three_four_five_as_a_password_is_not_a_hotline() -> None:
    text = "年度弱密码报告显示，“123456”“12345”“password”仍然是最常用的密码。"
    assert hotlines(text) == []
    assert hotlines("拨打12345热线后，接线员让他先重置网银密码再说") == ["12345"]


def test_calling_again_and_again_alone_is_not_unreachable() -> None:
    text = "村民多次拨打12369环保举报热线，半年过去，砖厂照常生产，问题依旧。"
    assert categories(text) == ["no_resolution"]


def test_side_categories_need_half_the_main_evidence() -> None:
    title = "问题没解决却显示“已办结” 市民质疑12345工单虚假办结"
    text = "她三次通过12345热线反映，工单都很快显示已办结，可问题没解决。"
    assert categories(text, title=title) == ["fake_closure"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("12345热线打不通 打通了又被推诿", "12345热线总是打不通，无人接听，接线员说不归我们管。"),
        ("业主与物业矛盾升级", "小区物业推诿扯皮，业主反映的问题迟迟未解决。"),
        ("12345热线为民解忧", "12345热线工作人员耐心解答了市民的咨询，问题当天就得到了解决。"),
        ("12345热线形同虚设？", "有市民吐槽，本地12345热线形同虚设，对其服务表示不满。"),
        ("", "她多次拨打110报警电话，十多次都是无人接听。"),
    ],
)
def test_one_scoring_pass_gives_categories_and_scores(title: str, text: str) -> None:
    """``analyse_article`` scores a page's categories once for the tags and the model."""
    from analysis.tags.categories import category_scores, scored_categories

    found, scores = scored_categories(text, title=title)
    assert found == categories(text, title=title)
    assert scores == category_scores(text, title=title)


def test_gazetteer_scan_finds_the_longest_name_at_each_place() -> None:
    """The scan tries only positions whose two characters begin a name; the same names as
    trying every position, longest first, and skipping past each name found."""
    from analysis.tags.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()

    def every_position(text: str) -> list[tuple[int, str]]:
        found, position = [], 0
        while position < len(text):
            for length in range(len(text) - position, 1, -1):
                if text[position : position + length] in gazetteer.names:
                    found.append((position, text[position : position + length]))
                    position += length - 1
                    break
            position += 1
        return found

    text = (
        "北京市朝阳区和新乡市长垣县的市民，广西壮族自治区南宁市，浦东新区、延边朝鲜族自治州。"
        "😀新乡12345热线接到河南省郑州市金水区来电，湖北恩施州，内蒙古呼和浩特市"
    )
    for part in (text, text[1:], text[:-1], "北", "北京", "", "𠀀北京市"):
        assert gazetteer.find(part) == every_position(part)
    assert len(gazetteer.find(text)) >= 12
