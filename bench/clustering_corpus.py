"""The synthetic Chinese corpus of the clustering and doctor benches, shaped like real
coverage: most reports are singletons (one citizen, one failure, one street), some events
get a wave of near-duplicate reposts (junk appended, "转发微博" posts pointing at the
original) and rewrites/follow-ups naming the same people and places a few days later.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analysis.incidents import IncidentFeatures
from index import StoredDocument

PLACES = (
    ("河南省", "郑州市"),
    ("河南省", "洛阳市"),
    ("广东省", "广州市"),
    ("广东省", "深圳市"),
    ("江苏省", "南京市"),
    ("浙江省", "杭州市"),
    ("四川省", "成都市"),
    ("湖北省", "武汉市"),
    ("山东省", "济南市"),
    ("陕西省", "西安市"),
    ("安徽省", "合肥市"),
    ("湖南省", "长沙市"),
)
HOTLINES = ("12345", "12345", "12345", "12315", "12369")
FAILURES = (
    ("rudeness", "接线员态度恶劣，出言辱骂，不耐烦地挂断电话"),
    ("unreachable", "热线一直打不通，无人接听，总是占线"),
    ("buck_passing", "几个部门互相推诿，踢皮球，工单转来转去"),
    ("fake_closure", "问题没有解决却显示已办结，还被要求给好评"),
    ("privacy_leak", "举报人个人信息遭泄露，被举报人找上门"),
)
PROBLEMS = ("噪音扰民", "停水", "路灯损坏", "油烟污染", "违章搭建", "占道经营", "积水", "垃圾堆放")
# Common characters for names, streets and details, so events differ in their bigrams.
CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
)
CITIES = tuple(f"{a}{b}市" for a in "东南西北中" for b in "阳安平宁山江州川河")
JUNK = "\n推荐阅读\n- 夏天吃西瓜的十大好处\n- 二手车保值率排行榜出炉\n更多的热点资讯请访问首页"
START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Event:
    key: int
    place: tuple[str, str]
    hotline: str
    category: str
    failure: str
    name: str
    street: str
    problem: str
    day: float


def words(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(n))


def story(event: Event, rng: random.Random) -> tuple[str, str]:
    city = event.place[1]
    title = f"{city}{event.name}反映{event.problem} 拨打{event.hotline}{event.failure[:6]}"
    text = (
        f"{city}{event.street}路居民{event.name}说，{words(rng, 80)}，{event.problem}，"
        f"{event.hotline}{event.failure[:5]}。{event.street}路{words(rng, 120)}。"
    )
    return title, text


def follow_up(event: Event, rng: random.Random) -> tuple[str, str]:
    city = event.place[1]
    title = f"{city}{event.hotline}热线回应{event.name}投诉：{event.street}路{event.problem}已整改"
    text = (
        f"针对{event.name}反映的{event.street}路{event.problem}一事，{city}{event.hotline}"
        f"热线调取录音核实，涉事人员停岗培训，{event.street}路问题限期整改。{words(rng, 20)}"
    )
    return title, text


def corpus(size: int, seed: int = 7) -> Iterator[StoredDocument]:
    """About 60% singleton events; the rest in repost waves (up to 40) and follow-ups.

    The corpus spans 365 days per 100k documents: the same density at every size, so
    the growth measured is the algorithm's, not a denser news year's.
    """
    rng = random.Random(seed)
    span_days = 365 * size / 100_000
    made = 0
    while made < size:
        category, failure = rng.choice(FAILURES)
        event = Event(
            made,
            (rng.choice(PLACES)[0], rng.choice(CITIES)),
            rng.choice(HOTLINES),
            category,
            failure,
            rng.choice(CHARS) + words(rng, 2),
            words(rng, 3),
            rng.choice(PROBLEMS),
            rng.uniform(0, span_days),
        )
        wave = 0 if rng.random() < 0.85 else min(rng.paretovariate(1.2) * 2, 40)
        docs = list(_event_documents(event, int(wave), rng))
        yield from docs[: size - made]
        made += len(docs)


def _event_documents(event: Event, wave: int, rng: random.Random) -> Iterator[StoredDocument]:
    title, text = story(event, rng)
    original = _document(event, f"news/{event.key}", title, text, event.day)
    yield original
    for n in range(wave):
        day = event.day + rng.uniform(0, 3)
        if rng.random() < 0.5:
            yield _document(event, f"copy/{event.key}/{n}", title, text + JUNK, day)
        else:
            yield _post(event, n, original.url, day, rng)
    if wave and rng.random() < 0.5:
        title, text = follow_up(event, rng)
        yield _document(event, f"reply/{event.key}", title, text, event.day + 4)


def _document(event: Event, path: str, title: str, text: str, day: float) -> StoredDocument:
    return StoredDocument(
        url=f"https://news.example.cn/{path}",
        title=title,
        text=text,
        fetched_at=START + timedelta(days=day + 0.5),
        published_at=START + timedelta(days=day),
        domain="news.example.cn",  # as a crawl or ingest records it (its outlet's site)
        relevant=True,
        hotlines=[event.hotline],
        regions=[{"province": event.place[0], "city": event.place[1]}],
        categories=[event.category],
    )


def _post(event: Event, n: int, parent: str, day: float, rng: random.Random) -> StoredDocument:
    return StoredDocument(
        url=f"https://weibo.example.cn/{event.key}/{n}",
        title="",
        text=f"转发微博 {words(rng, 6)}",
        fetched_at=START + timedelta(days=day + 0.5),
        published_at=START + timedelta(days=day),
        domain="weibo.example.cn",
        kind="post",
        reposts=rng.randint(0, 500),
        comments=rng.randint(0, 200),
        likes=rng.randint(0, 2000),
        parent_url=parent,
    )


def features(doc: StoredDocument) -> IncidentFeatures:
    return IncidentFeatures(
        doc_id=doc.id,
        title=doc.title,
        text=doc.text,
        published_at=doc.published_at,
        regions=doc.regions,
        hotlines=doc.hotlines,
        categories=doc.categories,
        url=doc.url,
        parent_url=doc.parent_url,
        relevant=doc.relevant,  # placed as a store places them
    )
