"""``hotwatch serve``'s CSV export and JSON API through Flask's test client, and what a
page costs the store (the store: ``tests/web_fixtures.py``).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import UTC, datetime
from typing import Any

from hotwatch.config import load_config
from hotwatch.web import create_app
from index import open_store
from tests.web_fixtures import (  # noqa: F401 (client, config, data_dir, docs: fixtures)
    client,
    config,
    data_dir,
    docs,
    documents,
    fill_store,
    incidents,
    page,
    stored_doc,
)

# -- CSV ----------------------------------------------------------------------------------


def test_csv_export_of_the_whole_result_set(client):
    response = client.get("/search.csv?q=回访&limit=10&page=2")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["标题", "原文链接", "发布时间", "媒体"]
    assert len(rows) == 1 + 25  # every hit, not only the page
    assert {r[0] for r in rows[1:]} == {f"12345热线例行回访第{n}期" for n in range(25)}


def test_csv_filters_and_guards_formulas(client, docs):
    rows = list(csv.reader(io.StringIO(
        client.get("/search.csv?q=公式").data.decode("utf-8-sig")
    )))
    assert len(rows) == 2
    assert rows[1][0] == "'=cmd|' /C calc'!A0 热线公式"
    region = list(csv.reader(io.StringIO(
        client.get("/search.csv?region=新乡&sort=time").data.decode("utf-8-sig")
    )))
    assert [r[0] for r in region[1:]] == [docs[1].title, docs[0].title]
    assert region[1][9] == "河南省新乡市" and region[1][10] == "态度恶劣"

# -- JSON API -------------------------------------------------------------------------------


def test_api_search_shape(client):
    data = client.get("/api/search?q=12345&region=新乡&limit=1").get_json()
    assert set(data) >= {"query", "page", "limit", "offset", "total", "hits", "facets"}
    assert data["total"] == 2 and len(data["hits"]) == 1 and data["limit"] == 1
    assert data["query"]["regions"] == ["新乡市"]
    hit = data["hits"][0]
    assert {"id", "title", "url", "snippet", "highlights", "negativity", "incident_id"} <= set(hit)
    assert "text" not in hit
    assert all(len(span) == 2 for span in hit["highlights"])
    assert set(data["facets"]) == {"hotline", "province", "city", "category", "source"}
    assert ["新乡市", 2] in data["facets"]["city"]
    assert client.get("/api/search?facets=0").get_json()["facets"] == {}
    assert client.get("/api/search?limit=1000").status_code == 200


def test_api_incidents(client, docs):
    listed = client.get("/api/incidents").get_json()["incidents"]
    assert [r["id"] for r in listed] == ["inc-xss", "inc-xinxiang", "inc-guangzhou"]
    assert [r["id"] for r in client.get("/api/incidents?level=blue").get_json()["incidents"]] == [
        "inc-guangzhou"
    ]
    one = client.get("/api/incidents/inc-xinxiang").get_json()
    assert one["level"] == "orange" and one["total_reports"] == 2
    assert [r["id"] for r in one["reports"]] == [docs[0].id, docs[1].id]
    assert one["reports"][1]["official_response"] == ["通报", "致歉", "停职"]
    missing = client.get("/api/incidents/nope")
    assert missing.status_code == 404 and "没有这个事件" in missing.get_json()["error"]


def test_api_documents_and_today(client, docs):
    data = client.get(f"/api/documents/{docs[0].id}").get_json()
    assert data["title"] == docs[0].title and data["text"] == docs[0].text
    assert client.get("/api/documents/nope").status_code == 404
    today = client.get("/api/today?date=2021-04-25").get_json()
    assert {f["key"]: f["today"] for f in today["figures"]}["relevant"] == 4
    assert len(today["trend"]) == 14


def test_a_search_page_costs_one_store_search(config):
    calls: list[str] = []
    app = create_app(config)
    pool = app.extensions["hotwatch_pool"]
    real_opener = pool._opener

    class Counting:
        def __init__(self, store: Any) -> None:
            self._store = store

        def __getattr__(self, name: str) -> Any:
            attribute = getattr(self._store, name)
            if callable(attribute) and name not in ("close", "data_version"):
                calls.append(name)
            return attribute

    pool._opener = lambda: Counting(real_opener())
    searches: list[Any] = []
    real_search = pool.search_with_facets

    def spy(store: Any, query: Any) -> Any:
        searches.append(query)
        return real_search(store, query)

    pool.search_with_facets = spy
    client = app.test_client()
    first = page(client, "/search?q=12345&limit=5&sort=negativity")
    assert calls == ["search", "list_incidents"]
    calls.clear()
    second = page(client, "/search?q=12345&limit=5&page=2&sort=time")
    assert calls == ["search"]  # incident levels are cached, and so are the facets
    assert [q.facets for q in searches] == [False, False]  # the pool decides

    def facet_counts(html: str) -> list[str]:
        block = re.search(r'<details class="facets.*?</details>', html, re.S).group(0)
        return re.findall(r'<span class="count">(\d+)</span>', block)

    assert facet_counts(first) == facet_counts(second) and facet_counts(first)


def test_a_page_asked_again_costs_nothing_until_the_store_changes(tmp_path):
    fill_store(tmp_path)
    app = create_app(load_config(None, data_dir=tmp_path, environ={}))
    pool = app.extensions["hotwatch_pool"]
    real_search = pool.search_with_facets
    searches: list[Any] = []

    def spy(store: Any, query: Any) -> Any:
        searches.append(query)
        return real_search(store, query)

    pool.search_with_facets = spy
    client = app.test_client()
    url = "/search?q=12345&sort=time"
    first = page(client, url)
    assert page(client, url) == first
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data).decode() == first
    assert len(searches) == 1
    page(client, url + "&page=1")  # another URL is another page
    assert len(searches) == 2

    # Another writer (a crawl, the CLI) commits: the page is searched afresh.
    late = stored_doc(99, "郑州12345热线深夜无人接听", "市民反映12345热线深夜无人接听。",
                datetime(2021, 4, 29, 3, tzinfo=UTC))
    store = open_store({"backend": "sqlite"}, tmp_path)
    try:
        store.upsert(late)
    finally:
        store.close()
    fresh = page(client, url)
    assert len(searches) == 3
    assert "郑州12345热线深夜无人接听" in fresh and "郑州12345热线深夜无人接听" not in first


def test_a_cached_page_carries_each_sessions_own_csrf_token(tmp_path):
    fill_store(tmp_path)
    app = create_app(load_config(None, data_dir=tmp_path, environ={}))
    one, two = app.test_client(), app.test_client()
    url = "/incidents/inc-guangzhou"

    def token(client: Any) -> str:
        html = page(client, url)
        assert "csrf-placeholder" not in html
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    first, again, other = token(one), token(one), token(two)
    assert len({first, again, other}) == 3  # masked afresh each time
    forged = two.post(f"{url}/handling", data={"status": "watching", "csrf_token": first})
    assert forged.status_code == 400  # one's token is not two's
    done = two.post(f"{url}/handling", data={"status": "watching", "csrf_token": other})
    assert done.status_code == 302
    assert "关注中" in page(two, url)  # the change shows at once: the store changed
