"""Trending terms and incidents: bursts against a baseline, phrases, filters, CLI and digest."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.phrases import GENERIC_WORDS, PhraseOptions
from analysis.trending import (
    Event,
    TrendingOptions,
    burst_score,
    engagement_weight,
    trending_keys,
    trending_terms,
    window_index,
)
from hotwatch.cli import cli
from index import IncidentRecord, StoredDocument, open_store
from reports.digest import build_digest
from reports.digest_model import Period
from reports.render import render_digest
from reports.trending import trending_report

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)


def split_words(text: str) -> list[str]:
    """A segmenter for texts written with spaces between words: the answer stays known."""
    return text.split()


class Stream:
    """Synthetic events: ``add(text, days_ago, times)`` spreads them over that day."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, text: str, days_ago: int, times: int, *, weight: float = 1.0) -> None:
        for n in range(times):
            moment = NOW - timedelta(days=days_ago, minutes=30 + n * 7)
            key = f"d{len(self.events)}"
            self.events.append(Event(moment, text, weight, key))

    def every_day(self, text: str, times: int, days: int = 7) -> None:
        for days_ago in range(days + 1):
            self.add(text, days_ago, times)


def terms(stream: Stream, **options) -> list[str]:
    found = trending_terms(stream.events, NOW, TrendingOptions(**options), split_words)
    return [burst.key for burst in found]


# -- scores ------------------------------------------------------------------------------


def test_small_counts_do_not_outrank_large_bursts():
    options = TrendingOptions()
    new_pair = burst_score(2, [0] * 7, options)
    big_burst = burst_score(200, [20] * 7, options)
    new_story = burst_score(10, [0] * 7, options)
    assert new_pair < options.min_score < new_story < big_burst
    assert burst_score(1, [0] * 7, options) < new_pair


def test_an_always_frequent_term_does_not_trend_on_an_ordinary_day():
    options = TrendingOptions()
    assert burst_score(100, [100] * 7, options) < 0.5
    assert burst_score(150, [100] * 7, options) < options.min_score  # a 50% wobble
    assert burst_score(12, [8, 12, 9, 13, 10, 11, 7], options) < options.min_score


def test_window_index_counts_back_from_now():
    options = TrendingOptions(window=timedelta(hours=24), baseline_windows=7)
    assert window_index(NOW - timedelta(minutes=1), NOW, options) == 0
    assert window_index(NOW - timedelta(hours=24), NOW, options) == 1
    assert window_index(NOW - timedelta(days=7, hours=23), NOW, options) == 7
    assert window_index(NOW - timedelta(days=8), NOW, options) is None
    assert window_index(NOW, NOW, options) is None  # the future is not counted


def test_options_reject_values_that_make_no_sense():
    with pytest.raises(ValueError, match="window must be positive"):
        TrendingOptions(window=timedelta(0))
    with pytest.raises(ValueError, match="min_cohesion"):
        PhraseOptions(min_cohesion=2.0)


# -- terms -------------------------------------------------------------------------------


def test_a_bursting_term_trends_and_a_steady_or_rare_one_does_not():
    stream = Stream()
    stream.every_day("垃圾清运 不及时", 10)  # always frequent, also today
    stream.add("暴雨 内涝 积水", 0, 12)  # new today
    stream.add("违建 举报", 0, 1)  # rare: 0 → 1
    stream.add("违建 举报", 3, 1)
    found = terms(stream)
    assert found[0] == "暴雨内涝积水"
    assert not [t for t in found if "垃圾" in t or "违建" in t]


def test_a_term_growing_tenfold_outranks_a_new_pair():
    stream = Stream()
    stream.every_day("道路 维修", 10)
    for days_ago in range(1, 8):
        stream.add("停水 通知", days_ago, 3)
    stream.add("停水 通知", 0, 30)
    stream.add("井盖 丢失", 0, 3)
    found = trending_terms(stream.events, NOW, TrendingOptions(min_score=0), split_words)
    scores = {b.key: b.score for b in found}
    assert scores["停水通知"] > scores["井盖丢失"]
    top = found[0]
    assert (top.key, top.count, top.docs, top.baseline) == ("停水通知", 30, 30, 3)
    assert top.growth == pytest.approx(31 / 4)


def test_generic_words_never_trend_even_when_they_burst():
    stream = Stream()
    stream.every_day("物业 收费", 2)
    stream.add("市民 反映 问题 表示 相关 工作 群众 记者 热线 12345", 0, 25)
    stream.add("市民 反映 暴雨 内涝 问题 记者 热线 12345", 0, 10)
    assert terms(stream) == ["暴雨内涝"]
    assert {"市民", "反映", "问题", "表示", "相关", "热线"} <= GENERIC_WORDS


def test_a_phrase_inside_a_longer_trending_phrase_with_the_same_documents_is_merged():
    stream = Stream()
    stream.every_day("道路 维修", 3)
    stream.add("接线 员 骂人 ， 新乡 通报", 0, 10)  # the segmenter split 接线员
    found = terms(stream)
    assert "接线员骂人" in found
    for fragment in ("接线", "接线员", "骂人", "员骂人"):
        assert fragment not in found
    assert not [(a, b) for a in found for b in found if a != b and a in b]


def test_overlapping_phrases_of_the_same_documents_are_joined():
    def dictionary_words(text: str) -> list[str]:
        return re.findall("接线员|忘挂|电话|骂人|道路|维修|[，。]", text)

    stream = Stream()
    stream.every_day("道路维修", 3)
    stream.add("接线员忘挂电话骂人", 0, 10)
    options = TrendingOptions(phrases=PhraseOptions(max_words=2))
    found = trending_terms(stream.events, NOW, options, dictionary_words)
    assert [b.key for b in found] == ["接线员忘挂电话骂人"]  # from 接线员忘挂, 忘挂电话, 电话骂人


def test_a_shorter_phrase_with_documents_of_its_own_is_kept():
    stream = Stream()
    stream.every_day("道路 维修", 3)
    stream.add("接线 员 骂人", 0, 6)
    stream.add("骂人 视频 流传", 0, 6)
    found = terms(stream)
    assert "接线员骂人" in found
    assert "骂人" in found  # in 12 documents, the longer phrase only in 6


def test_phrases_come_from_the_default_segmenter_on_real_titles():
    stream = Stream()
    for days_ago in range(1, 8):
        stream.add("南宁市民反映小区垃圾清运不及时", days_ago, 4)
    stream.add("新乡12345热线接线员忘挂电话骂人", 0, 8)
    stream.add("南宁市民反映小区垃圾清运不及时", 0, 4)
    found = trending_terms(stream.events, NOW, TrendingOptions())
    labels = [b.key for b in found]
    assert labels and all("垃圾" not in label for label in labels)
    assert any("骂人" in label for label in labels)
    assert "12345" not in labels and "热线" not in labels


def test_engagement_raises_a_posts_weight_on_a_log_scale():
    assert engagement_weight(0) == 1.0
    assert engagement_weight(9) == pytest.approx(2.0)
    assert engagement_weight(999) == pytest.approx(4.0)
    quiet = [(Event(NOW - timedelta(hours=1), "", 1.0, f"a{n}"), ["文章"]) for n in range(3)]
    loud = [
        (Event(NOW - timedelta(hours=1), "", engagement_weight(9999), f"p{n}"), ["微博"])
        for n in range(3)
    ]
    found = trending_keys(quiet + loud, NOW, TrendingOptions(min_score=0))
    assert [b.key for b in found] == ["微博", "文章"]
    assert found[0].count == pytest.approx(15.0)


def test_samples_are_the_heaviest_documents_in_the_window():
    events = [
        (Event(NOW - timedelta(hours=n + 1), "", float(n + 1), f"doc{n}"), ["话题"])
        for n in range(5)
    ]
    [burst] = trending_keys(events, NOW, TrendingOptions(min_score=0))
    assert burst.samples == ["doc4", "doc3", "doc2"]
    assert burst.first_seen == NOW - timedelta(hours=5)


# -- over a store ----------------------------------------------------------------------------

BURST_TITLE = "新乡12345热线接线员忘挂电话骂人 当事市民讲述经过"
STEADY_TITLE = "南宁小区垃圾清运不及时 居民盼解决"
OLD_BURST_TITLE = "郑州地铁站电梯停运 乘客滞留站台"


def document(n: int, title: str, when: datetime, **fields) -> StoredDocument:
    fields.setdefault("relevant", True)
    return StoredDocument(
        url=f"https://news.test/{n}.html",
        title=title,
        text=f"{title}。第{n}篇报道。",
        fetched_at=when,
        published_at=when,
        **fields,
    )


def build_store(data_dir: Path, now: datetime) -> None:
    docs, n = [], 0
    for days_ago in range(8):
        for k in range(3):
            n += 1
            docs.append(document(n, STEADY_TITLE, now - timedelta(days=days_ago, hours=k + 1)))
    for k in range(8):
        n += 1
        docs.append(
            document(
                n, BURST_TITLE, now - timedelta(hours=k + 1),
                plans=["xinxiang"], incident_id="inc-xinxiang",
            )
        )
    for k in range(8):
        n += 1
        docs.append(document(n, OLD_BURST_TITLE, now - timedelta(days=2, hours=k + 1)))
    for k in range(4):  # irrelevant pages never trend
        n += 1
        docs.append(document(n, "小说连载第一章", now - timedelta(hours=k + 1), relevant=False))
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        store.upsert_many(docs)
        first = docs[24]
        store.replace_incidents(
            [
                IncidentRecord(
                    id="inc-xinxiang", title="新乡12345接线员骂人事件",
                    first_document_id=first.id, first_url=first.url, first_source=None,
                    first_outlet=None, first_seen=now - timedelta(hours=8),
                    last_seen=now - timedelta(hours=1), documents=8, sources=1,
                )
            ]
        )
    finally:
        store.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build_store(tmp_path, datetime.now(UTC))
    return tmp_path


def report_for(data_dir: Path, **kwargs):
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        return trending_report(store, **kwargs)
    finally:
        store.close()


def test_the_window_decides_what_is_current(data_dir):
    day = report_for(data_dir, window="24h")
    three_days = report_for(data_dir, window="3d")
    assert any("骂人" in t.label for t in day.terms)
    assert not any("电梯" in t.label for t in day.terms)  # two days ago: baseline for 24h
    assert any("电梯" in t.label for t in three_days.terms)
    assert not any("垃圾" in t.label for t in day.terms + three_days.terms)
    assert not any("小说" in t.label for t in day.terms)
    assert day.documents == 24 + 8 + 8  # relevant documents of the window and its baseline


def test_a_plan_keeps_only_its_documents(data_dir):
    report = report_for(data_dir, window="3d", plan="xinxiang")
    assert report.terms and all("电梯" not in t.label for t in report.terms)
    assert report.documents == 8


def test_incidents_trend_with_their_titles_and_samples(data_dir):
    report = report_for(data_dir, window="24h")
    [incident] = report.incidents
    assert (incident.key, incident.label, incident.docs) == (
        "inc-xinxiang", "新乡12345接线员骂人事件", 8,
    )
    assert [s.title for s in incident.samples] == [BURST_TITLE] * 3


def invoke(data_dir: Path, *args: str):
    config = data_dir / "hotwatch.toml"
    config.write_text('[[plans]]\nname = "xinxiang"\nrule = "新乡"\n', encoding="utf-8")
    return CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data_dir), *args])


def test_json_output_shape(data_dir):
    result = invoke(data_dir, "trending", "--window", "3d", "--top", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"window", "now", "plan", "documents", "terms", "incidents"}
    assert data["window"] == "3d" and data["plan"] is None
    assert 1 <= len(data["terms"]) <= 3
    for item in data["terms"] + data["incidents"]:
        assert set(item) == {
            "kind", "key", "label", "count", "docs", "baseline", "growth", "score",
            "first_seen", "samples",
        }
        assert datetime.fromisoformat(item["first_seen"])
        for sample in item["samples"]:
            assert set(sample) == {"id", "title", "url"}
            assert sample["url"].startswith("https://news.test/")
    assert [i["key"] for i in data["incidents"]] == ["inc-xinxiang"]


def test_table_output_lists_terms_and_incidents(data_dir):
    result = invoke(data_dir, "trending", "--plan", "xinxiang")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "8 document(s) read, window 24h"
    assert lines[2] == "升温话题 (terms)"
    assert lines[3].split()[:7] == [
        "#", "term/incident", "count", "baseline", "growth", "score", "first",
    ]
    assert "升温事件 (incidents)" in lines
    assert any("新乡12345接线员骂人事件" in line for line in lines)
    cited = [line.split() for line in lines if line.startswith("  #")]
    assert cited and all(len(c) == 3 and c[2].startswith("https://news.test/") for c in cited)


def test_an_unknown_plan_is_a_one_line_error(data_dir):
    result = invoke(data_dir, "trending", "--plan", "nowhere")
    assert result.exit_code == 1
    assert result.output == "Error: no plan named 'nowhere' (configured: xinxiang)\n"


def test_the_digest_has_a_trending_section(tmp_path):
    end = datetime(2026, 5, 10, 16, 0, tzinfo=UTC)  # 2026-05-11 00:00 in Shanghai
    build_store(tmp_path, end)
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        digest = build_digest(store, Period.ending(date(2026, 5, 10)), now=end)
    finally:
        store.close()
    labels = [item.label for item in digest.trending]
    assert any("骂人" in label for label in labels)
    assert not any("垃圾" in label for label in labels)
    assert digest.to_json()["trending"][0]["samples"][0]["title"] == BURST_TITLE
    rendered = render_digest(digest)
    assert "【升温话题】（本期报道 | 此前每期）" in rendered.text
    assert f"- {labels[0]}：8 篇 | 0" in rendered.text
    assert "升温话题" in rendered.html and "https://news.test/" in rendered.html
