"""Damage (``negativity``): reputational harm as people read it, banded alike everywhere."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.model import Article
from analysis.sentiment.bands import negativity_band
from analysis.sentiment.damage import severity_evidence
from hotwatch.cli import cli
from index import StoredDocument, open_store

TRADITIONAL_LEAK = (
    "市民撥打12345熱線檢舉違建 個資竟遭洩露給被檢舉人",
    "台中一名市民日前撥打熱線檢舉鄰居違建，沒想到隔天被檢舉人就找上門，說出他的姓名和檢舉內容。"
    "這名市民質疑承辦人員洩露個資，讓他擔心遭到報復，要求市府徹查。",
)
FLAT_UNANSWERED = (
    "记者连续三天拨打区长热线 均无人接听",
    "本报记者于本周一至周三工作时间，先后12次拨打该区公布的区长热线，电话均无人接听。"
    "区政府办公室工作人员表示，将了解相关情况。",
)
FIXED_NOTICE = (
    "关于市民反映路灯不亮问题的办理回复",
    "市民通过12345热线反映某路段路灯不亮，区城管局接单后当日派员检修，已更换损坏线路，"
    "路灯已恢复照明，市民对办理结果表示满意，工单已办结。",
)
PRAISE = (
    "市民为12345热线接线员送锦旗",
    "市民张女士来到市12345热线服务中心，将一面写有“为民解忧 贴心服务”的锦旗送到接线员手中，"
    "感谢她耐心协调，帮助解决了小区停水问题。",
)


def _damage(title: str, text: str) -> float:
    return analyse_article(Article(title=title, text=text), AnalysisOptions()).negativity


@pytest.mark.parametrize("page", [TRADITIONAL_LEAK, FLAT_UNANSWERED], ids=["leak", "flat"])
def test_hotline_failures_are_negative_whatever_the_script_or_register(page) -> None:
    assert negativity_band(_damage(*page)) == "负面"


@pytest.mark.parametrize("page", [FIXED_NOTICE, PRAISE], ids=["fixed", "praise"])
def test_fixes_and_praise_score_below_negative(page) -> None:
    damage = _damage(*page)
    assert negativity_band(damage) != "负面"
    assert damage < _damage(*FLAT_UNANSWERED)


def _stored(n: int, title: str, text: str, **fields: object) -> StoredDocument:
    analysis = analyse_article(Article(title=title, text=text), AnalysisOptions())
    moment = datetime(2021, 4, 25, 2, n, tzinfo=UTC)
    return StoredDocument.from_analysis(
        f"http://news.test/{n}.html",
        Article(title=title, text=text, published_at=moment),
        analysis,
        fetched_at=moment,
        source="fixture",
        **fields,
    )


def test_one_document_carries_one_band_on_json_web_and_digest(tmp_path: Path) -> None:
    from hotwatch.config import load_config
    from hotwatch.web.app import create_app

    failing, praised = _stored(1, *FLAT_UNANSWERED), _stored(2, *PRAISE)
    praised.relevant = True  # shown in the digest whatever its judgement
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert_many([failing, praised])
    store.close()
    runner = CliRunner()
    found = runner.invoke(cli, ["--data-dir", str(tmp_path), "search", "--all", "--json"])
    assert found.exit_code == 0, found.output
    bands = {hit["id"]: hit["band"] for hit in json.loads(found.output)["hits"]}
    assert bands == {failing.id: "负面", praised.id: negativity_band(praised.negativity)}

    client = create_app(load_config(None, data_dir=tmp_path, environ={})).test_client()
    for doc in (failing, praised):
        html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
        assert f"{bands[doc.id]}（{doc.negativity:.2f}）" in html

    digest = runner.invoke(
        cli, ["--data-dir", str(tmp_path), "digest", "--date", "2021-04-25", "--preview"]
    )
    assert digest.exit_code == 0, digest.output
    negative_section = digest.output.split("负面报道", 1)[1]
    assert failing.title in negative_section
    assert praised.title not in negative_section


def test_reanalyse_migrates_a_store_from_its_text(tmp_path: Path) -> None:
    stale = _stored(1, *FLAT_UNANSWERED)
    stale.relevant, stale.relevance, stale.negativity, stale.categories = False, 0.1, 0.5, []
    store = open_store({"backend": "sqlite"}, tmp_path)
    store.upsert(stale)
    store.close()
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "index", "reanalyse", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["documents"] == 1 and counts["relevance_changed"] == 1
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        fresh = store.get(stale.id)
    finally:
        store.close()
    assert fresh.relevant and negativity_band(fresh.negativity) == "负面"
    assert (fresh.title, fresh.text, fresh.published_at) == (
        stale.title,
        stale.text,
        stale.published_at,
    )
    assert fresh.incident_id is not None


def test_severity_cues_are_counted_in_either_script_and_capped() -> None:
    cues = severity_evidence(
        "接线员辱骂市民 涉事人员已停职",
        "录音曝光后引发热议。接線員辱罵市民，罵人三次，熱線中心道歉。",
    )
    assert cues["severity:insult"] == 1.0  # 辱骂 twice, 骂人 once (one in Traditional script)
    assert cues["severity:punished"] == pytest.approx(1 / 3)
    assert set(cues) == {
        "severity:insult",
        "severity:punished",
        "severity:apology",
        "severity:viral",
    }
    assert severity_evidence("市民送锦旗感谢12345热线", "接线员耐心帮助市民。") == {}
