"""Failure types in the fixed taxonomy, scored by the evidence words found.

Each category has strong phrases (weight 2) and weaker single words (weight 1);
words in the title count three times. Nothing is returned unless the text is
about a hotline (a number, 热线, 接线员, 工单 ...); ``other`` is a hotline failure
named only in general terms (不作为, 形同虚设, 被曝光 ...).
"""

from __future__ import annotations

import re

from analysis.tags.lexicon import compile_words
from analysis.tags.script import simplified

CATEGORIES = (
    "rudeness",
    "unreachable",
    "buck_passing",
    "fake_closure",
    "privacy_leak",
    "no_resolution",
    "other",
)
STRONG: dict[str, tuple[str, ...]] = {
    "rudeness": (
        "辱骂",
        "骂人",
        "爆粗口",
        "说脏话",
        "态度恶劣",
        "态度差",
        "态度蛮横",
        "态度生硬",
        "不耐烦",
        "呵斥",
        "训斥",
        "嘲讽",
        "冷嘲热讽",
        "神经病",
        "不要脸",
        "忘挂电话",
        "忘记挂电话",
        "忘记挂断",
        "没有挂断",
        "未挂断",
        "被骂",
        "骂市民",
        "骂来电",
        "挂断电话",
        "直接挂断",
        "强行挂断",
        "恶语相向",
        "出言不逊",
        "语气生硬",
        "有病吧",
        "挂断了电话",
        "你这种人",
    ),
    "unreachable": (
        "打不通",
        "无人接听",
        "没人接",
        "占线",
        "忙音",
        "一直排队",
        "接不通",
        "难打通",
        "无法接通",
        "打了几十次",
        "始终未能接通",
        "接通难",
        "转人工难",
        "转不了人工",
        "一直在排队",
        "没人接听",
    ),
    "buck_passing": (
        "推诿",
        "踢皮球",
        "互相推",
        "相互推",
        "推来推去",
        "转来转去",
        "不归我们管",
        "不归我管",
        "不属于我们管",
        "不是我们的职责",
        "来回转办",
        "层层转办",
        "推给",
        "让找其他部门",
        "各部门互相",
        "皮球",
        "被转了",
        "转了5个部门",
        "多个部门之间",
        "推回",
    ),
    "fake_closure": (
        "虚假办结",
        "被办结",
        "显示已办结",
        "被满意",
        "强迫满意",
        "要求好评",
        "逼着给好评",
        "假办结",
        "未解决就",
        "没解决却",
        "没解决就",
        "问题仍在",
        "却显示办结",
        "要求打满意",
        "诱导好评",
        "要求撤诉",
        "要求撤回",
        "让撤单",
        "被结案",
        "一键办结",
        "显示办结",
    ),
    "privacy_leak": (
        "泄露举报人",
        "泄露投诉人",
        "信息被泄露",
        "信息遭泄露",
        "信息泄露",
        "泄露个人信息",
        "找上门",
        "打击报复",
        "遭报复",
        "泄露了",
        "电话被泄露",
        "举报信息外泄",
        "被举报人知道",
        "泄露给",
    ),
    "no_resolution": (
        "迟迟未解决",
        "石沉大海",
        "不了了之",
        "没有回复",
        "无人回复",
        "未得到解决",
        "没有下文",
        "久拖不决",
        "一拖再拖",
        "没人管",
        "无人处理",
        "至今没有解决",
        "至今未解决",
        "一直没解决",
        "仍未解决",
        "问题依旧",
        "毫无进展",
        "没有任何回音",
        "杳无音信",
        "没有结果",
    ),
}
WEAK: dict[str, tuple[str, ...]] = {
    "rudeness": ("骂", "怼", "挂断", "冷漠", "敷衍", "凶"),
    # Calling again and again is as common in unresolved complaints as in unanswered ones.
    "unreachable": ("转人工", "排队", "没接通", "拨打多次", "反复拨打", "多次拨打"),
    "buck_passing": ("转办", "推脱", "让找", "自行协商", "不予登记"),
    "fake_closure": ("已办结", "办结了", "销号", "满意度回访", "已整改", "办结工单"),
    "privacy_leak": ("泄露", "被举报人", "泄密"),
    "no_resolution": ("至今未", "未解决", "没解决", "不作为"),
}
OTHER = (
    "形同虚设",
    "摆设",
    "失职",
    "问责",
    "乱象",
    "差评",
    "投诉无门",
    "走过场",
    "官僚",
    "懒政",
    "不作为",
    "曝光",
    "服务差",
    "质疑",
    "不满",
    "寒心",
    "吐槽",
    "失望",
)
HOTLINE_CONTEXT = re.compile(
    r"12345|12315|12369|12319|12320|12333|95598|12306|12328|12358|12366|12388|"
    r"热线|接线|话务|坐席|客服|工单|服务电话|便民电话|投诉电话|举报电话|"
    r"(?<![0-9A-Za-z.])110(?![0-9A-Za-z])|报警电话|接警"
)
TITLE_WEIGHT = 3
STRONG_WEIGHT, WEAK_WEIGHT = 2, 1
MIN_SCORE = 2  # one strong phrase, two weak words, or one weak word in the title
# A side category needs half the evidence of the main one: a faked closure or passed buck
# also leaves the problem unsolved, which the report mentions in passing.
SECONDARY_SHARE = 0.5
_STRONG = {category: compile_words(words) for category, words in STRONG.items()}
_WEAK = {category: compile_words(words) for category, words in WEAK.items()}
_OTHER = compile_words(OTHER)


def categories(text: str, *, title: str = "") -> list[str]:
    """Failure categories with evidence, strongest first; empty when no hotline context."""
    title, text = simplified(title), simplified(text)
    if not HOTLINE_CONTEXT.search(title) and not HOTLINE_CONTEXT.search(text):
        return []
    return _ranked({c: _score(c, title, text) for c in STRONG}, title, text)


def scored_categories(text: str, *, title: str = "") -> tuple[list[str], dict[str, int]]:
    """``categories`` and ``category_scores`` of a page from one scoring pass."""
    title, text = simplified(title), simplified(text)
    scores = {category: _score(category, title, text) for category in STRONG}
    if not HOTLINE_CONTEXT.search(title) and not HOTLINE_CONTEXT.search(text):
        return [], scores
    return _ranked(scores, title, text), scores


def category_scores(text: str, *, title: str = "") -> dict[str, int]:
    """The evidence score of every category (zero when absent), for explaining decisions."""
    title, text = simplified(title), simplified(text)
    return {category: _score(category, title, text) for category in STRONG}


def _ranked(every: dict[str, int], title: str, text: str) -> list[str]:
    """Categories with enough evidence, strongest first; ``other`` when none has any."""
    scores = {c: score for c, score in every.items() if score >= MIN_SCORE}
    if not scores:
        return ["other"] if _OTHER.search(title) or len(_OTHER.findall(text)) >= 2 else []
    floor = SECONDARY_SHARE * max(scores.values())
    scores = {c: score for c, score in scores.items() if score >= floor}
    order = {category: i for i, category in enumerate(CATEGORIES)}
    return sorted(scores, key=lambda c: (-scores[c], order[c]))


def evidence(text: str) -> dict[str, list[str]]:
    """The words behind each category, for explaining a decision."""
    found, text = {}, simplified(text)
    for category in STRONG:
        words = _STRONG[category].findall(text) + _WEAK[category].findall(text)
        if words:
            found[category] = sorted(set(words))
    return found


def _score(category: str, title: str, text: str) -> int:
    strong, weak = _STRONG[category], _WEAK[category]
    score = 0
    for part, weight in ((title, TITLE_WEIGHT), (text, 1)):
        score += weight * (
            STRONG_WEIGHT * len(strong.findall(part)) + WEAK_WEIGHT * len(weak.findall(part))
        )
    return score
