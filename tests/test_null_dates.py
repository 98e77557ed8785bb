"""A page that shows no publish time is stored, searched, sorted and shown without one.

One real crawl (the CLI in a child process) of a loopback site with an undated and a
dated article, then the stored documents through the CLI, the web search page, the
digest links and both store backends (Elasticsearch at ``HOTWATCH_ES_URL``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotwatch.api.local_files import read_articles
from hotwatch.config import load_config
from hotwatch.web import create_app
from index import SearchQuery, StoredDocument, open_store
from reports.digest_model import DocLink
from reports.render import link_text
from tests.dateless_site import DATED_TITLE, UNDATED_TITLE, dateless_site  # noqa: F401
from tests.store_backends import BACKENDS, backend_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG = """
[crawl]
download_timeout = 5
autothrottle = false
retry_times = 0

[index]
backend = "sqlite"

[[sources]]
name = "dateless"
type = "pages"
start_urls = ["{site}/news/undated.html", "{site}/news/dated.html"]
"""


def run_cli(data: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hotwatch", "--config", str(config), "--data-dir", str(data)]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, dateless_site: str) -> dict[str, Any]:  # noqa: F811
    tmp = tmp_path_factory.mktemp("dateless")
    config = tmp / "hotwatch.toml"
    config.write_text(CONFIG.format(site=dateless_site), encoding="utf-8")
    result = run_cli(tmp / "data", config, "crawl", "--json")
    assert result.returncode == 0, result.stderr
    store = open_store({"backend": "sqlite"}, tmp / "data")
    try:
        docs = {doc.title: doc for doc in store.iter_documents()}
    finally:
        store.close()
    return {"tmp": tmp, "config": config, "docs": docs}


def test_undated_page_is_stored_with_null_published_at(crawled):
    docs = crawled["docs"]
    assert set(docs) == {UNDATED_TITLE, DATED_TITLE}
    undated, dated = docs[UNDATED_TITLE], docs[DATED_TITLE]
    assert undated.published_at is None  # not 今天凌晨, not a comment's 3小时前, not the fetch
    assert undated.fetched_at is not None
    assert dated.published_at == datetime(2021, 5, 6, 9, 0, tzinfo=SHANGHAI)
    assert "网友" not in undated.text and "3小时前" not in undated.text


def test_cli_shows_no_fake_date(crawled):
    undated = crawled["docs"][UNDATED_TITLE]
    shown = run_cli(crawled["tmp"] / "data", crawled["config"], "show", undated.id, "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["published_at"] is None and data["fetched_at"]
    listed = run_cli(crawled["tmp"] / "data", crawled["config"], "search", "--all", "无人管")
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if row.startswith(undated.id))
    assert "----" in line and undated.fetched_at.strftime("%Y-%m-%d") not in line


def test_web_search_says_the_publish_time_is_unknown(crawled):
    config = load_config(crawled["config"], data_dir=crawled["tmp"] / "data", environ={})
    client = create_app(config).test_client()
    response = client.get("/search?q=12345&all=1&sort=time")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("发布时间不详（抓取于") == 1
    assert "2021-05-06 09:00" in html


def test_digest_link_has_no_time_rather_than_the_fetch_time(crawled):
    link = DocLink.from_document(crawled["docs"][UNDATED_TITLE])
    assert link.when is None
    assert "时间不详" in link_text(link)
    assert DocLink.from_document(crawled["docs"][DATED_TITLE]).when is not None


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    with backend_store(request.param, tmp_path, "nulldate") as opened:
        yield opened


def test_both_backends_store_search_and_sort_a_null_date(store, crawled):
    """Null round-trips; time sort and day filters use the fetch time for an undated
    document (the moment it became known), never writing it into ``published_at``."""
    copies = [
        StoredDocument(**{**doc.__dict__, "relevant": True}) for doc in crawled["docs"].values()
    ]
    assert store.upsert_many(copies) == ["new", "new"]
    undated = store.get(crawled["docs"][UNDATED_TITLE].id)
    assert undated.published_at is None and undated.to_json()["published_at"] is None
    newest = store.search(SearchQuery(sort="time", relevant_only=False)).hits
    assert [hit.document.title for hit in newest] == [UNDATED_TITLE, DATED_TITLE]
    day = datetime(2021, 5, 6).date()
    on_day = store.search(SearchQuery(date_from=day, date_to=day, relevant_only=False)).hits
    assert [hit.document.title for hit in on_day] == [DATED_TITLE]
    found = store.search(SearchQuery(text="无人管", relevant_only=False)).hits
    assert [hit.document.published_at for hit in found] == [None]


def test_saved_page_relative_time_is_read_against_when_it_was_saved(tmp_path: Path) -> None:
    """``hotwatch analyze saved.html``: 3小时前 counts from the file's time, not from now."""
    saved = tmp_path / "saved.html"
    saved.write_text(
        "<html><head><title>平顶山12345热线被指推诿</title></head><body><h1>平顶山12345热线被指推诿</h1>"
        "<div class='info'><span class='time'>3小时前</span></div>"
        "<p>市民反映，拨打12345热线后工单被多次转办，问题至今没有解决，相关部门表示将调查。</p>"
        "</body></html>",
        encoding="utf-8",
    )
    moment = datetime(2021, 4, 25, 12, 0, tzinfo=SHANGHAI)
    os.utime(saved, (moment.timestamp(), moment.timestamp()))
    ((_, article),) = read_articles(saved)
    assert article.published_at == datetime(2021, 4, 25, 9, 0, tzinfo=SHANGHAI)
