"""The Python API (``from hotwatch import Hotwatch``) called directly: typed results, no printing.

Stores are real SQLite stores in a temporary data directory; local files are analysed
by the real pipeline; a crawl runs in a child process (Scrapy's reactor starts once per
process) against the loopback fixture site.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import hotwatch
from hotwatch import (
    CrawlResult,
    Hotwatch,
    IncidentDetail,
    IndexStatus,
    IngestResult,
    LocalDocument,
    render_incident_report,
    write_config,
)
from hotwatch.config import ConfigError, load_config
from index import DocumentNotFound, IncidentNotFound, SearchQuery
from reports.trending import TrendingReport
from tests.report_fixtures import build_store
from tests.report_fixtures import write_config as fixture_config
from tests.site_server import site_url  # noqa: F401 (a fixture)
from tests.store_fixtures import fill_store

INSULT = "新乡市民拨打12345热线反映噪音问题，接线员忘记挂电话，在电话里骂市民“不要脸”。"


@pytest.fixture
def hw(tmp_path, monkeypatch) -> Hotwatch:
    """An API over the default configuration and a store of three documents."""
    monkeypatch.chdir(tmp_path)  # no ./hotwatch.toml
    monkeypatch.delenv("HOTWATCH_CONFIG", raising=False)
    # CI exports the test node's URL; the default configuration here has no cluster.
    for name in ("HOTWATCH_ES_URL", "HOTWATCH_INDEX"):
        monkeypatch.delenv(name, raising=False)
    return Hotwatch(data_dir=fill_store(tmp_path / "data"))


def test_the_readme_names_come_from_the_package_lazily():
    code = "import sys, hotwatch.config; print('hotwatch.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert hotwatch.Hotwatch is Hotwatch
    assert all(getattr(hotwatch, name) is getattr(hotwatch.api, name) for name in hotwatch.api.__all__)
    with pytest.raises(AttributeError):
        hotwatch.no_such_name  # noqa: B018


def test_search_takes_what_people_type(hw):
    assert [h.document.url for h in hw.search(regions=["新乡"]).hits] == [
        "http://news.test/1.html"
    ]
    assert hw.search(hotlines=["市长热线"]).total == 2
    assert hw.search("社区").total == 0
    assert hw.search("社区", search_all=True).total == 1
    assert hw.search(date_from=date(2021, 4, 26)).total == 0
    by_negativity = hw.search(sort="negativity").hits
    assert [h.document.negativity for h in by_negativity] == [0.9, 0.7]


def test_search_takes_a_search_query_and_normalises_its_filters(hw):
    result = hw.search(SearchQuery(text="热线", regions=("新乡",), relevant_only=False))
    assert [h.document.title for h in result.hits] == ["新乡12345热线接线员骂人"]


def test_show_and_stats(hw):
    hit = hw.search("骂人").hits[0]
    assert hw.show(hit.document.id).text == "市民拨打12345热线反映问题，接线员忘记挂电话骂人。"
    assert hw.stats()["documents"] == 3 and hw.stats()["relevant"] == 2
    with pytest.raises(DocumentNotFound, match="no document with id 'nope'"):
        hw.show("nope")


def test_a_shared_store_stays_open(hw):
    store = hw.open_store()
    try:
        shared = Hotwatch(hw.config, store=store)
        assert shared.stats()["documents"] == 3
        assert shared.search("骂人").total == 1
        assert store.stats()["documents"] == 3  # still usable: the API did not close it
    finally:
        store.close()


def test_a_loaded_config_and_a_data_dir_override(hw, tmp_path):
    other = Hotwatch(hw.config, data_dir=tmp_path / "elsewhere")
    assert other.config.data_dir == tmp_path / "elsewhere"
    assert other.stats()["documents"] == 0
    assert Hotwatch(hw.config).config is hw.config


def write_reports(directory: Path) -> None:
    directory.mkdir()
    (directory / "a.txt").write_text(f"新乡12345热线接线员骂人\n{INSULT}", encoding="utf-8")
    (directory / "b.txt").write_text(
        f"12345接线员骂市民不要脸 新乡回应\n{INSULT}新乡市12345热线已对接线员停职处理。",
        encoding="utf-8",
    )
    (directory / "c.txt").write_text("社区举办文艺汇演\n居民欢聚一堂，载歌载舞。", encoding="utf-8")


def test_analyze_groups_the_files_it_reads(hw, tmp_path):
    write_reports(tmp_path / "pages")
    documents = hw.analyze([tmp_path / "pages"])
    assert all(isinstance(d, LocalDocument) for d in documents)
    by_name = {Path(d.path).name: d for d in documents}
    assert by_name["a.txt"].analysis.relevant and by_name["b.txt"].analysis.relevant
    assert not by_name["c.txt"].analysis.relevant
    assert by_name["a.txt"].incident_id == by_name["b.txt"].incident_id is not None
    assert by_name["c.txt"].incident_id is None
    record = by_name["a.txt"].to_json()
    assert record["title"] == "新乡12345热线接线员骂人"
    assert record["incident_id"] == by_name["a.txt"].incident_id
    assert list(record)[:3] == ["path", "url", "title"]


def test_ingest_then_incidents_and_one_incident(hw, tmp_path):
    write_reports(tmp_path / "pages")
    result = hw.ingest([tmp_path / "pages"])
    assert result == IngestResult({"new": 3})
    assert hw.ingest([tmp_path / "pages"]).counts == {"unchanged": 3}
    incidents = hw.incidents()
    assert incidents, "the ingested reports form incidents"
    grouped = [r for r in incidents if r.documents == 2]
    assert len(grouped) == 1
    detail = hw.incident(grouped[0].id)
    assert isinstance(detail, IncidentDetail)
    assert detail.reports.total == 2 and len(detail.reports.hits) == 2
    assert detail.to_json()["reports"][0]["incident_id"] == grouped[0].id
    assert hw.incident_record(grouped[0].id) == detail.record
    assert hw.incidents(levels=["red"], limit=5) == [r for r in incidents if r.level == "red"][:5]
    with pytest.raises(IncidentNotFound):
        hw.incident("inc-nope")


def test_local_file_errors_are_one_line(hw, tmp_path):
    with pytest.raises(hotwatch.InputError, match="^no such file or directory: "):
        hw.analyze([tmp_path / "missing"])


def test_trending_checks_the_plan(hw):
    report = hw.trending(window="7d", top=3)
    assert isinstance(report, TrendingReport)
    with pytest.raises(ConfigError, match=r"no plan named 'nope' \(configured: "):
        hw.trending(plan="nope")


def test_index_maintenance_on_sqlite(hw):
    status = hw.index.status()
    assert isinstance(status, IndexStatus)
    assert status.to_json() == {"backend": "sqlite", **hw.stats()}
    with pytest.raises(ConfigError) as flushed:
        hw.index.flush()
    assert str(flushed.value) == "index flush needs the elasticsearch backend (this store is sqlite)"
    with pytest.raises(ConfigError, match="nothing to copy"):
        hw.index.copy(source="sqlite", target="sqlite")
    with pytest.raises(ConfigError, match=r"needs urls in \[index\]"):
        Hotwatch(hw.config).index.copy(source="sqlite", target="elasticsearch")


def test_incident_report_renders_each_format(hw, tmp_path):
    write_reports(tmp_path / "pages")
    hw.ingest([tmp_path / "pages"])
    incident_id = hw.incidents()[0].id
    report = hw.incident_report(incident_id)
    assert json.loads(render_incident_report(report, "json"))["incident"]["id"] == incident_id
    assert report.record.title in render_incident_report(report, "md")
    assert render_incident_report(report, "html").lstrip().lower().startswith("<!doctype html")
    with pytest.raises(ValueError, match="unknown report format 'rtf'"):
        render_incident_report(report, "rtf")


def test_digest_is_an_email_draft(hw, tmp_path):
    draft = hw.digest(day=date(2021, 4, 25))
    assert "新乡12345热线接线员骂人" in draft.text
    assert draft.key == "digest:default:day:2021-04-25"
    eml, html = hw.write_digest(draft, tmp_path / "digest.eml")
    assert eml == tmp_path / "digest.eml" and html == tmp_path / "digest.html"
    assert b"Subject:" in eml.read_bytes()
    assert "新乡12345热线接线员骂人" in html.read_text(encoding="utf-8")


def test_alerts_dry_run_names_the_alert_and_records_nothing(tmp_path):
    build_store(tmp_path / "data", day=datetime.now(UTC) - timedelta(hours=6))
    config = fixture_config(tmp_path / "hotwatch.toml", port=25)  # nothing listens: no sending
    api = Hotwatch(config, data_dir=tmp_path / "data")
    for _ in range(2):  # a dry run records nothing, so the second one alerts again
        run = api.alerts(dry_run=True)
        assert [o.alert.key for o in run.outcomes] == ["alert:inc-xinxiang:orange"]
        assert run.errors == [] and not any(o.delivered for o in run.outcomes)


def test_write_config_refuses_to_overwrite(tmp_path):
    target = write_config(tmp_path / "hotwatch.toml")
    assert "[[plans]]" in target.read_text(encoding="utf-8")
    assert load_config(target).plans
    with pytest.raises(ConfigError, match=r"exists \(use --force to overwrite\)$"):
        write_config(target)
    assert write_config(target, force=True) == target


CRAWL_SCRIPT = """
import json, sys
from hotwatch import Hotwatch
result = Hotwatch(sys.argv[1], data_dir=sys.argv[2]).crawl(url=sys.argv[3], max_pages=3)
print(json.dumps({"type": type(result).__name__, **result.to_json()}))
"""


def test_crawl_returns_a_summary_per_source(tmp_path, site_url):  # noqa: F811
    config = tmp_path / "hotwatch.toml"
    config.write_text(
        textwrap.dedent(
            """
            [crawl]
            download_timeout = 3
            autothrottle = false
            retry_times = 0
            """
        ),
        encoding="utf-8",
    )
    data_dir = tmp_path / "data"
    out = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT, str(config), str(data_dir), f"{site_url}/rss.xml"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["type"] == CrawlResult.__name__
    (source,) = result["sources"]
    assert source["new"] == 3 and source["errors"] == 0
    assert Hotwatch(config, data_dir=data_dir).stats()["documents"] == 3
