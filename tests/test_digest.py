"""The digest as data and as text/HTML: numbers, incidents by risk, escalations, sources."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.plans import Plan
from index import open_store
from reports.digest import build_digest
from reports.digest_model import Period, PlanFilter
from reports.dispatch import default_day, make_digest
from reports.history import LevelHistory, observe_store
from reports.render import render_digest
from tests.report_fixtures import DAY, build_store, set_level

NOW = datetime(2021, 4, 26, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, the morning after


class Links(HTMLParser):
    """Every URL the HTML refers to, by attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "srcset", "background", "action", "poster") and value:
                self.found.append((tag, name, value))


def hrefs(html: str) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.found


@pytest.fixture
def store(tmp_path: Path):
    docs = build_store(tmp_path)
    opened = open_store({"backend": "sqlite"}, tmp_path)
    opened.docs = docs  # type: ignore[attr-defined]
    yield opened
    opened.close()


def digest_for(store, day=date(2021, 4, 25), **kwargs):
    return build_digest(store, Period.ending(day, kwargs.pop("kind", "day")), now=NOW, **kwargs)


def test_headline_numbers_against_the_previous_day(store):
    digest = digest_for(store)
    numbers = {m.key: (m.current, m.previous) for m in digest.metrics}
    assert numbers == {
        "collected": (4, 1),
        "relevant": (3, 1),
        "negative": (2, 1),
        "new_incidents": (2, 0),
        "negative_share": (0.6667, 1.0),
    }
    assert [e.url for e in digest.metric("negative").examples] == [
        "https://news.test/1.html",
        "https://henan.test/2.html",
    ]


def test_new_incidents_come_by_risk_with_their_sources(store):
    digest = digest_for(store)
    assert [(i.record.id, i.status, i.record.level) for i in digest.incidents] == [
        ("inc-xinxiang", "new", "orange"),
        ("inc-guangzhou", "new", "blue"),
    ]
    xinxiang = digest.incidents[0]
    assert xinxiang.first.url == "https://news.test/1.html"
    assert xinxiang.first.outlet == "新乡日报"
    assert xinxiang.first.when == datetime(2021, 4, 25, 10, 0, tzinfo=xinxiang.first.when.tzinfo)
    assert [link.url for link in xinxiang.links] == [
        "https://news.test/1.html",
        "https://henan.test/2.html",
    ]


def test_the_trend_covers_seven_days_ending_on_the_date(store):
    trend = digest_for(store).trend
    assert [t.day for t in trend] == [date(2021, 4, 19) + timedelta(n) for n in range(7)]
    assert [(t.relevant, t.negative) for t in trend[-2:]] == [(1, 1), (3, 2)]
    assert trend[-1].example.url == "https://news.test/1.html"  # the most negative that day
    assert trend[0].example is None


def test_text_and_html_cite_only_stored_documents(store):
    rendered = render_digest(digest_for(store), unsubscribe="mailto:u@hotwatch.test")
    stored = {doc.url for doc in store.docs}
    links = hrefs(rendered.html)
    assert all(tag == "a" and name == "href" for tag, name, _ in links)
    cited = {value for _, _, value in links}
    assert cited <= stored
    assert {"https://news.test/1.html", "https://henan.test/2.html"} <= cited
    for line in rendered.text.splitlines():
        if "<http" in line:
            assert line.rsplit("<", 1)[1].rstrip(">") in stored
    assert "javascript:" not in rendered.html and "<script" not in rendered.html
    assert "<img" not in rendered.html and "url(" not in rendered.html


def test_an_incident_item_states_level_reasons_spread_region_hotline_category(store):
    rendered = render_digest(digest_for(store))
    expected_phrases = (
        "橙色", "2 篇报道，2 个来源（+1）", "平均负面度 0.80（+2）", "报道 2 篇，来源 2 个",
        "河南省新乡市", "12345", "态度恶劣", "首发",
    )
    for expected in expected_phrases:
        assert expected in rendered.html
        assert expected in rendered.text


def test_an_empty_day_is_a_short_nothing_new_digest(store):
    digest = digest_for(store, day=date(2021, 4, 20))
    rendered = render_digest(digest)
    assert digest.empty
    assert rendered.subject == "【12345热线舆情日报】2021年4月20日 今日无新增"
    assert rendered.text.splitlines()[2] == "今日无新增"
    assert "今日无新增" in rendered.html
    assert len(rendered.text.splitlines()) < 8


def test_a_week_compares_with_the_week_before(store):
    digest = digest_for(store, day=date(2021, 4, 25), kind="week")
    assert (digest.period.start, digest.period.end) == (date(2021, 4, 19), date(2021, 4, 25))
    assert digest.metric("relevant").current == 4
    assert len(digest.trend) == 14
    subject = render_digest(digest).subject
    assert subject.startswith("【12345热线舆情周报】2021年4月19日至2021年4月25日")


def test_a_plan_filters_by_its_rule(store):
    plan = PlanFilter.from_plan(Plan.from_text("xinxiang", "新乡 AND 12345", ["演出"]))
    digest = digest_for(store, plan=plan)
    assert digest.metric("relevant").current == 2
    assert [i.record.id for i in digest.incidents] == ["inc-xinxiang"]
    assert render_digest(digest).subject.startswith("【12345热线舆情日报·xinxiang】")


def test_an_incident_that_rose_during_the_period_is_escalating(tmp_path):
    build_store(tmp_path, level="yellow")
    state = tmp_path / "reports"
    state.mkdir()
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        history = LevelHistory(state)
        observe_store(store, history, DAY, lookback=timedelta(days=30))
        history.save()
    finally:
        store.close()
    set_level(tmp_path, "orange")
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        # The next day: the Xinxiang incident is no longer new, but it rose from yellow.
        later = DAY + timedelta(days=1)
        digest = make_digest(store, state, Period.ending(date(2021, 4, 26)), PlanFilter(), later)
    finally:
        store.close()
    [item] = digest.incidents
    assert (item.record.id, item.status, item.previous_level) == ("inc-xinxiang", "escalating",
                                                                   "yellow")
    rendered = render_digest(digest)
    assert "升级：黄色 → 橙色" in rendered.html
    assert "升级 黄色→橙色" in rendered.text
    assert "升级1起" in rendered.subject
    levels = [c.level for c in LevelHistory(state).changes("inc-xinxiang")]
    assert levels == ["yellow", "orange"]


def test_the_default_date_is_yesterday_in_shanghai():
    assert default_day(datetime(2021, 4, 25, 17, 0, tzinfo=UTC)) == date(2021, 4, 25)
    assert default_day(datetime(2021, 4, 25, 15, 0, tzinfo=UTC)) == date(2021, 4, 24)
