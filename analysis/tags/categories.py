"""Failure types in the fixed taxonomy, scored by the evidence words found."""

from __future__ import annotations

import re

CATEGORIES = (
    "rudeness",
    "unreachable",
    "buck_passing",
    "fake_closure",
    "privacy_leak",
    "no_resolution",
    "other",
)
LEXICON: dict[str, tuple[str, ...]] = {
    "rudeness": (
        "辱骂",
        "骂人",
        "爆粗口",
        "脏话",
        "态度恶劣",
        "态度差",
        "态度蛮横",
        "不耐烦",
        "呵斥",
        "训斥",
        "嘲讽",
        "神经病",
        "不要脸",
        "忘挂电话",
        "忘记挂电话",
        "怼",
        "挂断",
        "挂电话",
        "骂",
        "冷漠",
        "敷衍",
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
        "拨打多次",
        "反复拨打",
        "无法接通",
        "转人工",
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
        "不是我们的职责",
        "让我找",
        "来回转办",
        "层层转办",
        "推给",
    ),
    "fake_closure": (
        "虚假办结",
        "被办结",
        "显示已办结",
        "已办结",
        "被满意",
        "强迫满意",
        "要求好评",
        "逼着给好评",
        "办结了",
        "假办结",
        "销号",
        "未解决就",
        "没解决却",
    ),
    "privacy_leak": (
        "泄露举报人",
        "泄露投诉人",
        "信息被泄露",
        "信息泄露",
        "泄露个人信息",
        "找上门",
        "打击报复",
        "被举报人",
        "遭报复",
        "泄露",
    ),
    "no_resolution": (
        "迟迟未解决",
        "石沉大海",
        "不了了之",
        "没有回复",
        "无人回复",
        "未得到解决",
        "至今未",
        "没有下文",
        "久拖不决",
        "一拖再拖",
        "没人管",
        "无人处理",
    ),
}
FAILURE_CONTEXT = re.compile(r"12345|热线|接线员|话务员|客服|工单|投诉|举报|反映")
_PATTERNS = {
    category: re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    for category, words in LEXICON.items()
}
TITLE_WEIGHT = 3


def categories(text: str, *, title: str = "") -> list[str]:
    """Failure categories with evidence, strongest first; empty when no hotline context."""
    if not FAILURE_CONTEXT.search(title) and not FAILURE_CONTEXT.search(text):
        return []
    scores = {
        category: len(pattern.findall(title)) * TITLE_WEIGHT + len(pattern.findall(text))
        for category, pattern in _PATTERNS.items()
    }
    found = sorted((c for c, s in scores.items() if s), key=lambda c: -scores[c])
    return found


def evidence(text: str) -> dict[str, list[str]]:
    """The words behind each category, for explaining a decision."""
    return {
        category: sorted(set(pattern.findall(text)))
        for category, pattern in _PATTERNS.items()
        if pattern.search(text)
    }
