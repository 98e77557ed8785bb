"""Generated Chinese news articles for load and crawl tests: hotline failures across
provinces, hotline mentions that report no failure (the hard negatives) and ordinary
local news, deterministic for a seed. ``synthetic_site`` builds them into a
:class:`~hotwatch.demo.site.Site`."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from hotwatch.demo.site import SHANGHAI, SampleArticle, Site, build_site

PROVINCES = (
    ("河南省", ("郑州", "洛阳", "新乡", "开封")),
    ("广东省", ("广州", "深圳", "佛山", "东莞")),
    ("江苏省", ("南京", "苏州", "无锡")),
    ("浙江省", ("杭州", "宁波", "温州")),
    ("四川省", ("成都", "绵阳")),
    ("湖北省", ("武汉", "宜昌")),
    ("山东省", ("济南", "青岛", "烟台")),
    ("陕西省", ("西安", "咸阳")),
    ("湖南省", ("长沙", "株洲")),
    ("福建省", ("福州", "厦门")),
    ("河北省", ("石家庄", "保定")),
    ("安徽省", ("合肥", "芜湖")),
    ("广西壮族自治区", ("南宁", "柳州")),
    ("辽宁省", ("沈阳", "大连")),
)
DISTRICTS = (
    "新华",
    "高新",
    "经开",
    "城关",
    "滨江",
    "金水",
    "天河",
    "鼓楼",
    "雁塔",
    "江北",
    "东湖",
    "龙华",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN_NAMES = (
    "伟",
    "芳",
    "强",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
)
HONORIFICS = (("女士", "她"), ("先生", "他"), ("阿姨", "她"), ("大爷", "他"))
ISSUES = (  # (the problem, the department it belongs to)
    ("小区电梯停运", "物业公司"),
    ("楼下烧烤店油烟噪音扰民", "城管部门"),
    ("家门口道路积水", "市政部门"),
    ("冬季暖气不热", "供热公司"),
    ("工地夜间违规施工", "住建部门"),
    ("被拖欠工资", "人社部门"),
    ("邻居私搭乱建", "城管部门"),
    ("小区门口占道经营", "街道办"),
    ("燃气费突然翻倍", "燃气公司"),
    ("孩子入学手续办不下来", "教育部门"),
)
# Story kinds: title templates, then sentences told in order (the lead first).
HOTLINE_FAILURES = {
    "rudeness": (
        (
            "{city}市民拨打12345反映{issue}遭接线员辱骂",
            "{city}12345热线接线员态度恶劣 {person}：投诉反被骂“神经病”",
            "投诉{issue}反被骂？{city}12345热线接线员言语辱骂市民引关注",
        ),
        (
            "{month}月{day}日，{province}{city}市民{person}向记者反映，{ta}拨打{city}12345市长热线反映{issue}的问题，接线员态度恶劣，话还没说完就被挂断了电话。",
            "{person}说，{ta}前后打了{n}次电话，其中一次通话结束后对方没有挂断，{ta}清楚地听到对方骂了一句“神经病”“不要脸”。",
            "{person}提供的通话录音显示，接线员语气很不耐烦，多次打断{ta}的陈述。",
            "记者随后联系{city}市12345热线服务中心，工作人员表示已关注此事，正在调查核实，如情况属实将严肃处理。",
            "不少网友认为，政务服务热线是政府联系群众的窗口，接线员出言辱骂来电群众，伤害的是政府的公信力。",
        ),
    ),
    "unreachable": (
        (
            "{city}12345热线连打{n}天无人接听 市民：遇到急事该找谁",
            "记者实测：{city}12345热线拨打{m}次{n}次打不通",
            "{city}市民反映12345热线总是占线 等待{m}分钟仍未接通",
        ),
        (
            "近日，{province}{city}市民{person}多次拨打12345政务服务便民热线，想反映{issue}的问题，但电话一直打不通，不是占线就是无人接听。",
            "“前后打了二十多次，排队提示音放了{m}分钟，最后自动挂断。”{person}说，周边不少邻居也遇到同样情况。",
            "记者随后多次拨打{city}12345热线进行测试，等待超过{m}分钟仍未接通人工服务。",
            "有市民质疑，热线号称24小时服务，遇到急事却打不进去，形同虚设。",
        ),
    ),
    "buck_passing": (
        (
            "{city}市民投诉{issue}被12345转了{n}个部门 问题仍未解决",
            "{issue}谁来管？{city}多部门互相推诿 市民投诉无门",
        ),
        (
            "{province}{city}市民{person}反映，今年以来{ta}先后{n}次拨打12345热线投诉{issue}，问题至今没有解决。",
            "{person}说，工单先后被转到街道、{dept}等多个部门，各部门之间互相推诿，都说不归自己管，“踢来踢去，像踢皮球一样”。",
            "记者联系{city}{district}区{dept}，工作人员称该事项不属于本部门职责，建议市民另行咨询。",
            "律师表示，对群众诉求层层转办、互相推诿，实质上是懒政怠政，应当建立首接负责制。",
        ),
    ),
    "fake_closure": (
        (
            "{city}12345工单显示“已办结” 市民：{issue}根本没解决",
            "问题没解决却被要求给好评 {city}市民质疑12345热线虚假办结",
        ),
        (
            "{province}{city}市民{person}向记者反映，{ta}通过12345热线反映{issue}的问题，没过几天系统就显示工单已办结。",
            "“根本没有人来处理，却打电话让我给满意评价。”{person}说，{issue}的问题至今仍然存在。",
            "记者在现场看到，{person}反映的问题确实没有得到解决，周边居民对此意见很大。",
            "业内人士指出，个别单位为追求办结率和满意率搞虚假办结，损害了热线的公信力。",
        ),
    ),
    "privacy_leak": (
        (
            "{city}一居民向12345举报{issue} 个人信息遭泄露",
            "举报人信息被泄露？{city}市民拨打12345后被找上门",
        ),
        (
            "{province}{city}市居民{person}称，{ta}通过12345热线举报{issue}，没想到第二天被举报人就找上门来，质问{ta}为什么举报。",
            "“我只告诉了热线，对方怎么知道是我？”{person}怀疑自己的举报信息被泄露，担心遭到打击报复。",
            "根据有关规定，受理举报的单位应当对举报人的个人信息严格保密。",
            "{person}希望有关部门查明信息泄露的原因，并追究相关人员的责任。",
        ),
    ),
}
HOTLINE_OTHER = {  # mention the hotline, report no failure: the hard negatives
    "praise": (
        ("暖心！{city}市民送锦旗为12345热线点赞", "{city}12345热线接线员耐心帮助独居老人获赞"),
        (
            "{month}月{day}日，{city}市民{person}来到市12345热线服务中心，将一面写有“为民解忧 服务贴心”的锦旗送到工作人员手中。",
            "原来，{person}家中老人突发疾病，{ta}拨打12345热线求助，接线员耐心安抚，并协调相关部门及时处置。",
            "{person}说，热线工作人员态度好、效率高，真正做到了为民办实事。",
        ),
    ),
    "statistics": (
        (
            "{city}12345热线{month}月受理群众诉求{n}万件 按时办结率{rate}%",
            "{city}发布{month}月份12345热线运行情况",
        ),
        (
            "{month}月份，{city}市12345热线共受理群众来电{n}万件，受理量同比增长{m}%。",
            "其中咨询类占比{k}%，求助类和投诉类占比{m}%，按时办结率{rate}%，群众满意率{rate}%。",
            "从诉求内容看，{issue}等问题反映较为集中，已分别转交{dept}办理。",
        ),
    ),
    "detained": (
        (
            "男子多次拨打12345热线辱骂接线员 被{city}警方行政拘留",
            "恶意骚扰12345热线 {city}一男子被拘{n}日",
        ),
        (
            "近日，{city}市公安局{district}分局通报，男子王某因个人诉求未得到满足，一个月内拨打12345热线{k}余次，多次辱骂、威胁接线员。",
            "公安机关依据《治安管理处罚法》相关规定，对王某处以行政拘留{n}日的处罚。",
            "警方提醒，12345热线是服务群众的重要渠道，请广大市民理性表达诉求。",
        ),
    ),
}
LOCAL_NEWS = (
    (
        "{city}{district}区{n}个老旧小区启动加装电梯",
        "{city}{district}区今年计划为{n}个老旧小区加装电梯，首批工程已经开工。",
    ),
    (
        "{city}地铁{n}号线开通运营 沿线居民出行更方便",
        "{month}月{day}日，{city}地铁{n}号线正式开通运营，全线设站{m}座。",
    ),
    (
        "{city}春季花展开幕 市民赏花踏青",
        "{month}月{day}日，{city}春季花展在{district}公园开幕，展出花卉{k}余个品种。",
    ),
    (
        "{city}图书馆延长开放时间至晚上九点",
        "从{month}月起，{city}图书馆工作日开放时间延长至晚上九点，方便上班族借阅。",
    ),
    (
        "{city}夜市经济升温 {district}美食街人气旺",
        "入夏以来，{city}{district}美食街每晚客流量超过{n}万人次，夜间消费持续升温。",
    ),
    (
        "{city}农产品展销会开幕 {k}家企业参展",
        "{month}月{day}日，{city}农产品展销会开幕，来自{province}各地的{k}家企业参展。",
    ),
    (
        "{city}启动全民健身月活动",
        "{month}月{day}日，{city}全民健身月活动启动，将举办各类群众赛事{k}余场。",
    ),
    (
        "{city}{district}区新建{n}个口袋公园",
        "今年以来，{city}{district}区利用边角地新建{n}个口袋公园，居民出门就能见绿。",
    ),
)
FILLER = (
    "据了解，{city}近年来持续推进城市更新，{district}区已完成{k}个老旧小区改造。",
    "记者在现场看到，周边道路车辆往来频繁，不少居民驻足围观。",
    "{person}告诉记者，{ta}在这里住了{n}年，最关心的就是身边的小事能不能得到及时回应。",
    "有关负责人表示，下一步将进一步完善工作机制，提高服务质量和效率。",
    "社区工作人员介绍，辖区内常住人口约{n}万人，其中老年人占比较高。",
    "业内人士认为，提升基层治理水平需要久久为功，不能一蹴而就。",
    "天气转暖以来，市民出行明显增多，公园、广场等公共场所人流量明显上升。",
    "{district}区相关负责人介绍，今年计划投入资金{m}千万元，用于改善居民生活环境。",
    "不少市民在社交平台上留言，希望相关部门多听取群众意见。",
    "附近商户表示，近期客流量有所回升，生意比去年同期好了不少。",
    "{month}月{day}日上午，记者来到{district}区某小区，看到几名工人正在施工。",
    "专家建议，应当建立长效机制，避免类似问题反复出现。",
    "一位姓{surname}的居民说：“希望这样的好事能多一些，让老百姓得到实惠。”",
    "据悉，相关工作预计将于{month}月底前全部完成。",
    "对此，{city}市有关部门表示，将加强统筹协调，确保各项措施落到实处。",
    "据介绍，该项目总投资约{n}亿元，建成后将惠及周边{m}万余名居民。",
    "现场一位工作人员说，为了保证进度，他们每天早上七点就开始上岗。",
    "近年来，{city}围绕群众“急难愁盼”问题，推出了一系列便民举措。",
    "不少年轻人表示，这样的变化让城市更有烟火气。",
    "{district}区{dept}负责人表示，将对群众反映的问题逐一建立台账、限期整改。",
    "记者注意到，类似情况在{province}其他城市也曾出现。",
    "截至目前，已有{k}余户居民从中受益。",
    "有网友留言说：“办事效率高不高，老百姓心里有杆秤。”",
    "当天下午，记者再次来到现场，情况与上午基本相同。",
)
KINDS = (  # (kind, weight): about 35 % failures, 15 % hotline hard negatives, 50 % local news
    *((kind, 7) for kind in HOTLINE_FAILURES),
    *((kind, 5) for kind in HOTLINE_OTHER),
    ("local", 50),
)


def synthetic_site(n_articles: int, *, seed: int = 0, per_page: int = 20) -> Site:
    """A deterministic site of ``n_articles`` generated Chinese articles (~300-3,000 chars).

    About a third report hotline failures (rudeness, unreachable lines, buck-passing, fake
    closure, leaks) across provinces; some mention the hotline without a failure; the rest
    is ordinary local news. About one page in ten is GBK-encoded.
    """
    rng = random.Random(seed)
    articles = [synthetic_article(rng, i) for i in range(n_articles)]
    return build_site(articles, per_page=per_page, site_name="合成新闻网")


def synthetic_article(rng: random.Random, number: int) -> SampleArticle:
    """One generated article; all randomness comes from ``rng``."""
    published = datetime(2021, 1, 1, 7, 0, tzinfo=SHANGHAI) + timedelta(
        minutes=rng.randint(0, 180 * 24 * 60)
    )
    slots = _slots(rng, published - timedelta(days=rng.randint(1, 3)))
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    if kind == "local":
        title, lead = rng.choice(LOCAL_NEWS)
        story: tuple[str, ...] = (lead,)
    else:
        titles, story = {**HOTLINE_FAILURES, **HOTLINE_OTHER}[kind]
        title = rng.choice(titles)
    target = int(300 * 10 ** rng.random())  # log-uniform over 300-3,000 characters
    city = slots["city"]
    return SampleArticle(
        slug=f"a{number:05d}",
        title=title.format(**slots),
        body=_paragraphs(rng, [s.format(**slots) for s in story], target, slots),
        published=published,
        outlet=rng.choice(
            (f"{city}日报", f"{city}晚报", f"{slots['province'][:2]}新闻网", "都市报")
        ),
        author=_name(rng),
        encoding="gbk" if rng.random() < 0.1 else "utf-8",
    )


def _slots(rng: random.Random, event: datetime) -> dict[str, str]:
    """Template slots for one story whose events happened on ``event``."""
    province, cities = rng.choice(PROVINCES)
    issue, dept = rng.choice(ISSUES)
    honorific, pronoun = rng.choice(HONORIFICS)
    return {
        "province": province,
        "city": rng.choice(cities),
        "district": rng.choice(DISTRICTS),
        "person": rng.choice(SURNAMES) + honorific,
        "ta": pronoun,
        "surname": rng.choice(SURNAMES),
        "issue": issue,
        "dept": dept,
        "month": str(event.month),
        "day": str(event.day),
        "n": str(rng.randint(2, 9)),
        "m": str(rng.randint(10, 40)),
        "k": str(rng.randint(20, 300)),
        "rate": f"{rng.uniform(90, 99.9):.1f}",
    }


def _paragraphs(
    rng: random.Random, story: list[str], target: int, slots: dict[str, str]
) -> tuple[str, ...]:
    """The story's sentences, in order, interleaved with filler until ``target`` characters."""
    paragraphs, length = [], 0
    pending, filler = list(story), []
    while pending or length < target:
        sentences = [pending.pop(0)] if pending else []
        for _ in range(rng.randint(1, 3)):
            if not filler:  # each filler sentence once before any repeats
                filler = rng.sample(FILLER, len(FILLER))
            sentences.append(filler.pop().format(**slots))
        paragraph = "".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph)
    return tuple(paragraphs)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_NAMES, k=rng.randint(1, 2)))
