"""Monitoring plans narrow what people look at; they never change what is relevant."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from hotwatch import Hotwatch
from hotwatch.config import ConfigError

CONFIG = """
[[plans]]
name = "供电"
rule = '95598 OR 供电'

[[plans]]
name = "政务热线"
rule = '12345 OR 市长热线'
"""
NOW = datetime.now(UTC)
STORIES = [
    (
        "市民拨打95598报修停电 客服称已派单却一夜无人来",
        "居民王先生说，家中停电后他三次拨打95598供电服务热线，"
        "客服每次都说已经派单，但直到第二天中午仍没有人来抢修，电话再打就一直占线。",
        "power",
    ),
    (
        "拨打12345投诉电梯困人 热线无人处理",
        "小区居民被困电梯半小时，多次拨打12345热线反映，"
        "接线员只说会转给相关部门，此后再无人处理，居民十分气愤。",
        "city",
    ),
    (
        "拨打12345投诉电梯困人 市民称热线至今无人处理",
        "又有居民反映，拨打12345热线投诉电梯困人后，"
        "工单显示已转办，但一直无人处理，电梯至今仍时常停运。",
        "city",
    ),
]


@pytest.fixture(scope="module")
def hotwatch(tmp_path_factory: pytest.TempPathFactory) -> Hotwatch:
    root = tmp_path_factory.mktemp("plans")
    (root / "hotwatch.toml").write_text(CONFIG, encoding="utf-8")
    lines = [
        json.dumps(
            {
                "url": f"https://news.test/{n}.html",
                "title": title,
                "text": text,
                "published_at": (NOW - timedelta(hours=2 + n)).isoformat(),
            },
            ensure_ascii=False,
        )
        for n, (title, text, _) in enumerate(STORIES)
    ]
    feed = root / "stories.jsonl"
    feed.write_text("\n".join(lines), encoding="utf-8")
    api = Hotwatch(root / "hotwatch.toml", root / "data")
    api.ingest([feed])
    return api


def _titles(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.document.title for hit in result.hits}


def test_every_story_is_relevant_whatever_plan_it_falls_in(hotwatch: Hotwatch) -> None:
    found = hotwatch.search(limit=50)
    assert _titles(found) == {title for title, _, _ in STORIES}
    plans = {hit.document.title: hit.document.plans for hit in found.hits}
    assert plans[STORIES[0][0]] == ["供电"]
    assert plans[STORIES[1][0]] == ["政务热线"]


def test_search_narrows_to_a_plan(hotwatch: Hotwatch) -> None:
    assert _titles(hotwatch.search(plans=["供电"])) == {STORIES[0][0]}
    assert _titles(hotwatch.search(plans=["政务热线"])) == {STORIES[1][0], STORIES[2][0]}
    with pytest.raises(ConfigError, match="no plan named '水务'"):
        hotwatch.search(plans=["水务"])


def test_trending_narrows_to_a_plan(hotwatch: Hotwatch) -> None:
    def sample_titles(report) -> set[str]:  # type: ignore[no-untyped-def]
        data = report.to_json()
        return {s["title"] for item in data["terms"] + data["incidents"] for s in item["samples"]}

    everything = hotwatch.trending(window="24h", top=20)
    power = hotwatch.trending(window="24h", plan="供电", top=20)
    assert everything.to_json()["documents"] == 3
    assert power.to_json()["documents"] == 1
    assert sample_titles(power) <= {STORIES[0][0]}


def test_digest_narrows_to_a_plan(hotwatch: Hotwatch) -> None:
    day = (NOW + timedelta(hours=8)).date()  # today in Shanghai; the week covers the stories
    later = NOW + timedelta(days=1)
    everything = hotwatch.digest(day=day, period="week", now=later)
    power = hotwatch.digest(day=day, plan="供电", period="week", now=later)
    assert STORIES[1][0] in everything.html
    assert STORIES[0][0] in power.html and STORIES[1][0] not in power.html
