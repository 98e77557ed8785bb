"""The incident report (事件脉络) from the Python API and ``hotwatch report incident``."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotwatch.cli import cli
from index import IncidentNotFound, open_store
from reports.history import LevelHistory, observe_store
from reports.incident_report import build_incident_report, render_html, render_markdown
from tests.report_fixtures import DAY, build_store, set_level


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build_store(tmp_path, level="yellow")
    state = tmp_path / "reports"
    state.mkdir()
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        history = LevelHistory(state)
        observe_store(store, history, DAY, lookback=timedelta(days=30))
        set_level(tmp_path, "orange")
        observe_store(store, history, DAY + timedelta(hours=4), lookback=timedelta(days=30))
        history.save()
    finally:
        store.close()
    return tmp_path


def report_of(data_dir: Path, incident_id: str = "inc-xinxiang"):
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        return build_incident_report(store, incident_id, data_dir / "reports")
    finally:
        store.close()


def test_the_report_holds_timeline_first_source_responses_spread_and_risk(data_dir):
    report = report_of(data_dir)
    assert report.first.url == "https://news.test/1.html"
    assert [(d.day, [x.url for x in d.links]) for d in report.timeline] == [
        ("2021-04-25", ["https://news.test/1.html", "https://henan.test/2.html"])
    ]
    assert [(x.url, terms) for x, terms in report.official] == [
        ("https://henan.test/2.html", ["通报", "致歉", "停职"])
    ]
    assert report.tiers == [("省级媒体", 1), ("门户网站", 1)]
    assert report.excerpts[0].text == "市民拨打12345热线反映问题，接线员忘记挂电话骂人不要脸。"
    assert [(c.level, c.previous) for c in report.risk_history] == [
        ("yellow", None), ("orange", "yellow")
    ]


def test_markdown_links_every_document(data_dir):
    text = render_markdown(report_of(data_dir))
    assert text.startswith("# 事件脉络：新乡12345热线接线员骂人\n")
    title = "新乡市通报12345接线员辱骂市民：涉事人员停职"
    assert f"[{title}](https://henan.test/2.html)（通报、致歉、停职）" in text
    assert "- 2021-04-25 14:00 橙色（评分 7）" in text


def test_html_is_a_self_contained_page(data_dir):
    html = render_html(report_of(data_dir))
    assert html.startswith("<!DOCTYPE html>")
    assert '<a href="https://henan.test/2.html"' in html
    assert "<script" not in html and "<img" not in html


def test_an_unknown_incident_raises(data_dir):
    with pytest.raises(IncidentNotFound):
        report_of(data_dir, "inc-nope")


def run(data_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), "report", "incident", *args],
                              env={"HOTWATCH_CONFIG": ""})


def test_report_incident_command_formats(data_dir, tmp_path):
    as_json = run(data_dir, "inc-xinxiang", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["incident"]["id"] == "inc-xinxiang"
    assert data["official_responses"][0]["terms"] == ["通报", "致歉", "停职"]
    target = tmp_path / "report.html"
    written = run(data_dir, "inc-xinxiang", "--format", "html", "--out", str(target))
    assert written.output == f"wrote {target}\n"
    assert "事件脉络" in target.read_text(encoding="utf-8")
    missing = run(data_dir, "inc-nope")
    assert missing.exit_code == 1
    assert missing.output == "Error: no incident with id 'inc-nope'\n"
