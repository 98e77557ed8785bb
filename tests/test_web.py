"""``hotwatch serve``'s pages and JSON API through Flask's test client (no sockets).

The store is filled through the Python API: Xinxiang (an orange incident with an
official 通报/停职 follow-up), Guangzhou (blue), an irrelevant page, a report the
day before, 25 routine reports for paging, and a hostile page whose title, text,
outlet, source and region try to inject markup.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hotwatch.cli.context import Context
from hotwatch.cli.document_commands import CATEGORIES as CLI_CATEGORIES
from hotwatch.cli.serve_command import serve
from hotwatch.config import Config, load_config
from hotwatch.web import create_app
from hotwatch.web.listen import ListenError, check_listen
from hotwatch.web.params import CATEGORIES
from hotwatch.web.present import highlight
from hotwatch.web.security import CONTENT_SECURITY_POLICY
from index import IncidentRecord, StoredDocument, open_store

DAY = datetime(2021, 4, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
XINXIANG = {"province": "河南省", "city": "新乡市"}
GUANGZHOU = {"province": "广东省", "city": "广州市"}
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
TOKEN = "s3cret-token-for-tests-0123456789"


def _doc(n: int, title: str, text: str, when: datetime, **fields: Any) -> StoredDocument:
    values: dict[str, Any] = dict(
        url=f"https://news.test/{n}.html", title=title, text=text, fetched_at=when,
        published_at=when, source="fixture", outlet="新乡日报", domain="news.test", tier=3,
        relevant=True, hotlines=["12345"],
    )
    values.update(fields)
    return StoredDocument(**values)


def documents() -> list[StoredDocument]:
    docs = [
        _doc(1, "新乡12345热线接线员骂人", "市民拨打12345热线反映问题，接线员忘记挂电话骂人不要脸。",
             DAY, regions=[XINXIANG], categories=["rudeness"], negativity=0.9,
             incident_id="inc-xinxiang"),
        _doc(2, "新乡市通报12345接线员辱骂市民：涉事人员停职",
             "新乡市12345热线管理办公室发布通报，涉事接线员已停职，向市民致歉。",
             DAY + timedelta(hours=3), url="https://henan.test/2.html", outlet="河南日报",
             domain="henan.test", source="henan", tier=2, regions=[XINXIANG],
             categories=["rudeness"], negativity=0.7, incident_id="inc-xinxiang"),
        _doc(3, "市长热线一直打不通", "多名市民反映市长热线打不通，无人接听。12345",
             DAY + timedelta(hours=1), outlet="广州日报", regions=[GUANGZHOU],
             categories=["unreachable"], negativity=0.35, incident_id="inc-guangzhou"),
        _doc(4, "社区举办文艺汇演", "社区居民欢聚一堂，举办文艺汇演。", DAY, relevant=False,
             hotlines=[]),
        _doc(5, "热线工单被推诿", "市民反映12345热线工单被多个部门推诿。",
             DAY - timedelta(days=1), categories=["buck_passing"], negativity=0.8),
        _doc(6, f"{SCRIPT}12345热线{BREAKOUT}",
             f"正文 {SCRIPT} 拨打12345热线 {BREAKOUT} =HYPERLINK(\"http://evil.test\") 结束",
             DAY + timedelta(hours=2), url="https://evil.test/xss.html",
             outlet=f"{BREAKOUT}媒体", source=f"src{BREAKOUT}", author=SCRIPT,
             regions=[{"province": f"<i>省</i>{BREAKOUT}"}], negativity=0.95,
             incident_id="inc-xss", reasons=[SCRIPT]),
        _doc(7, "=cmd|' /C calc'!A0 热线公式", "公式注入测试 12345热线", DAY - timedelta(days=2),
             url="javascript:alert(1)//x", negativity=0.2),
    ]
    for n in range(25):
        docs.append(
            _doc(100 + n, f"12345热线例行回访第{n}期", f"第{n}期：12345热线回访满意度调查。",
                 DAY - timedelta(days=5, minutes=n), negativity=0.3, source="routine")
        )
    return docs


def incidents(docs: list[StoredDocument]) -> list[IncidentRecord]:
    first, follow_up, guangzhou, xss = docs[0], docs[1], docs[2], docs[5]
    return [
        IncidentRecord(
            id="inc-xinxiang", title=first.title, first_document_id=first.id,
            first_url=first.url, first_source="fixture", first_outlet=first.outlet,
            first_seen=first.published_at, last_seen=follow_up.published_at, documents=2,
            sources=2, daily={"2021-04-25": 2}, regions=[XINXIANG], hotlines=["12345"],
            categories=["rudeness"], negativity=0.8, level="orange", score=7,
            reasons=["2 reports from 2 sources (+1)", "mean negativity 0.80 (+2)",
                     "covered by provincial media (+2)", "sensitive terms: 不要脸、停职 (+2)"],
        ),
        IncidentRecord(
            id="inc-guangzhou", title=guangzhou.title, first_document_id=guangzhou.id,
            first_url=guangzhou.url, first_source="fixture", first_outlet=guangzhou.outlet,
            first_seen=guangzhou.published_at, last_seen=guangzhou.published_at, documents=1,
            sources=1, daily={"2021-04-25": 1}, regions=[GUANGZHOU], hotlines=["12345"],
            categories=["unreachable"], negativity=0.5, level="blue", score=0, reasons=[],
        ),
        IncidentRecord(
            id="inc-xss", title=xss.title, first_document_id=xss.id, first_url="javascript:alert(1)",
            first_source=xss.source, first_outlet=xss.outlet, first_seen=xss.published_at,
            last_seen=xss.published_at, documents=1, sources=1, daily={"2021-04-25": 1},
            regions=xss.regions, hotlines=[SCRIPT], categories=["other"], negativity=0.95,
            level="red", score=10, reasons=[f"sensitive terms: {SCRIPT} (+2)"],
        ),
    ]


def fill_store(data_dir: Path) -> list[StoredDocument]:
    docs = documents()
    store = open_store({"backend": "sqlite"}, data_dir)
    try:
        store.upsert_many(docs)
        store.replace_incidents(incidents(docs))
    finally:
        store.close()
    return docs


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-data")
    fill_store(path)
    return path


@pytest.fixture(scope="module")
def config(data_dir: Path) -> Config:
    return load_config(None, data_dir=data_dir, environ={})


@pytest.fixture(scope="module")
def client(config: Config) -> Any:
    return create_app(config).test_client()


@pytest.fixture(scope="module")
def docs() -> list[StoredDocument]:
    return documents()


def page(client: Any, url: str, status: int = 200, **kwargs: Any) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def hit_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title"><a href="[^"]+">([^<]*)</a>', html)


# -- pages ------------------------------------------------------------------------------


def test_today_compares_the_day_with_the_day_before(client):
    html = page(client, "/?date=2021-04-25")
    assert "今日概览" in html and "2021年4月25日" in html
    figures = dict(re.findall(
        r'<div class="figure-label">([^<]+)</div>\s*<div class="figure-value">([^<]+)</div>', html
    ))
    assert figures["收集报道"] == "5"  # 4 relevant + the irrelevant one, on the 25th
    assert figures["相关报道"] == "4"
    assert figures["新增事件"] == "3"
    assert figures["负面占比"] == "75.0%"  # 0.9, 0.7, 0.95 of 4 are >= 0.6
    assert "前一日 1）" in html  # one relevant report on the 24th
    assert '<svg class="chart-svg"' in html and "近 14 日报道量（相关 / 全部）与负面占比" in html
    assert html.count('<g class="bar') == 14
    assert "2021-04-25：4 篇（全部收集 5 篇）" in html
    assert html.count('<rect class="total"') == 14
    # Riskiest first: red, orange, blue.
    order = [html.index(f'/incidents/{i}"') for i in ("inc-xss", "inc-xinxiang", "inc-guangzhou")]
    assert order == sorted(order)
    assert "升温标签" in html and "新乡市" in html
    assert "今日日报预览" in html and "日报全文" in html


def test_today_draws_the_days_composition_with_the_shared_bands(client):
    html = page(client, "/?date=2021-04-25")
    assert "当日相关报道构成" in html
    # Relevant on the 25th: 0.9, 0.7, 0.95 are 负面, 0.5 is 中性 (negativity_band).
    assert "<title>负面：3 篇（75.0%）</title>" in html
    assert "<title>中性：1 篇（25.0%）</title>" in html
    assert "<title>正面：0 篇（0.0%）</title>" in html
    assert '<g class="hbar hbar-negative">' in html
    assert "<title>门户网站：3 篇（75.0%）</title>" in html
    assert "<title>省级媒体：1 篇（25.0%）</title>" in html
    assert "<title>河南省：2 篇（50.0%）</title>" in html
    assert 'href="/search?from=2021-04-25&amp;to=2021-04-25&amp;region=' in html
    assert "latest-notice" not in html


def test_the_composition_covers_a_chosen_span_of_days(client):
    html = page(client, "/?date=2021-04-25&span=7")
    assert "近 7 日相关报道构成" in html and "（31 篇）" in html
    # 04-19..04-25: 0.9, 0.7, 0.95, 0.8 are 负面; 0.2 is 正面; 0.5 and 25 x 0.3 are 中性.
    assert "<title>负面：4 篇（12.9%）</title>" in html
    assert "<title>中性：26 篇（83.9%）</title>" in html
    assert "<title>正面：1 篇（3.2%）</title>" in html
    assert 'href="/?date=2021-04-25&amp;span=30"' in html
    data = client.get("/api/today?date=2021-04-25&span=7").get_json()
    assert data["span"] == 7 and data["composition"]["date_from"] == "2021-04-19"
    assert "必须在 1 到 30 之间" in page(client, "/?span=90", 400)


def test_today_without_reports_opens_on_the_latest_day_that_has_some(client):
    html = page(client, "/")  # today (the real date) has no reports in this store
    assert 'id="latest-notice"' in html
    assert "尚无收录报道，以下显示最近有报道的一天：2021年4月25日" in html
    assert "今日概览 <span class=\"muted\">2021年4月25日</span>" in html
    data = client.get("/api/today").get_json()
    assert data["date"] == "2021-04-25" and data["requested"] is not None
    assert data["composition"]["sentiment"][0] == {"band": "负面", "documents": 3}
    chosen = page(client, "/?date=2021-04-20")  # a chosen empty day stays as chosen
    assert "latest-notice" not in chosen and "2021年4月20日" in chosen


def test_negativity_labels_are_the_shared_bands(client, docs):
    low = next(d for d in docs if d.negativity == 0.2)
    html = page(client, f"/documents/{low.id}")
    assert "正面（0.20）" in html and "负面（0.20）" not in html


def test_today_rejects_a_bad_date(client):
    html = page(client, "/?date=2021-02-30", 400)
    assert "日期不存在：2021-02-30" in html


def test_search_highlights_terms_and_links_incidents(client):
    html = page(client, "/search?q=骂人")
    assert "共 <strong>1</strong> 篇" in html
    assert "<mark>骂人</mark>" in html
    assert 'href="/incidents/inc-xinxiang"' in html
    assert "level-orange" in html  # the incident's level comes from the cached index
    assert 'href="https://news.test/1.html"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "负面（0.90）" in html


def test_search_filters(client):
    def total(query: str) -> int:
        return int(re.search(r"共 <strong>(\d+)</strong> 篇", page(client, query)).group(1))

    assert total("/search") == 31  # relevant only by default
    assert total("/search?all=1") == 32
    assert total("/search?region=新乡") == 2  # 新乡 → 新乡市
    assert total("/search?region=新乡,广州市") == 3
    assert total("/search?region=新乡&region=广州") == 3
    assert total("/search?hotline=市长热线") == 31  # 市长热线 → 12345
    assert total("/search?category=rudeness&category=unreachable") == 3
    assert total("/search?from=2021-04-25&to=2021-04-25") == 4
    assert total("/search?to=2021-04-24") == 27
    assert total("/search?neg_min=0.6") == 4
    assert total("/search?neg_min=0.6&neg_max=0.85") == 2
    assert total("/search?source=henan") == 1
    assert total("/search?incident=inc-xinxiang") == 2
    assert total("/search?q=12345 NOT 回访") == 6
    assert total('/search?q="打不通" OR 推诿') == 2


def test_search_keeps_the_search_in_the_url(client):
    html = page(client, "/search?q=12345&region=新乡&category=rudeness&neg_min=0.5&sort=time")
    assert 'value="12345"' in html
    assert 'name="region" value="新乡"' in html
    assert 'value="rudeness" checked' in html
    assert '<option value="time" selected>' in html
    # The CSV link repeats the same search.
    link = re.search(r'class="export" href="([^"]+)"', html).group(1)
    assert link.startswith("/search.csv?") and "region=" in link and "category=rudeness" in link


def test_search_facets_count_and_toggle(client):
    html = page(client, "/search?q=12345")
    assert "分面统计" in html
    facet = re.search(r'<a href="(/search\?[^"]*region=[^"]*)"[^>]*>新乡市</a>\s*'
                      r'<span class="count">(\d+)</span>', html)
    assert facet and facet.group(2) == "2"
    selected = page(client, facet.group(1).replace("&amp;", "&"))
    assert "共 <strong>2</strong> 篇" in selected
    assert "新乡市 ✕" in selected


def test_search_sorts(client):
    by_negativity = hit_titles(page(client, "/search?sort=negativity&limit=3"))
    assert by_negativity[1] == "新乡12345热线接线员骂人"
    by_time = hit_titles(page(client, "/search?sort=time&limit=2"))
    assert by_time[0] == "新乡市通报12345接线员辱骂市民：涉事人员停职"


def test_search_paginates(client):
    first = page(client, "/search?q=回访&sort=time&limit=10")
    second = page(client, "/search?q=回访&sort=time&limit=10&page=2")
    third = page(client, "/search?q=回访&sort=time&limit=10&page=3")
    assert "第 1–10 篇" in first and "第 11–20 篇" in second and "第 21–25 篇" in third
    titles = hit_titles(first) + hit_titles(second) + hit_titles(third)
    assert len(titles) == 25 and len(set(titles)) == 25
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert "page=2" in first
    beyond = page(client, "/search?q=回访&limit=10&page=9")
    assert hit_titles(beyond) == [] and "没有找到" in beyond


def test_incident_page(client, docs):
    html = page(client, "/incidents/inc-xinxiang")
    assert "新乡12345热线接线员骂人" in html
    assert "风险等级：橙色（评分 7）" in html
    assert "省级媒体报道（+2）" in html and "平均负面度 0.80（+2）" in html
    assert "首发" in html and "新乡日报" in html
    # The timeline marks the day of the official 通报 and lists that report.
    assert '<g class="bar marked">' in html and "▲" in html
    assert "官方回应：通报、致歉、停职" in html
    assert '<span class="badge official">通报、致歉、停职</span>' in html
    # Grouped by tier: the provincial outlet before the portal.
    assert html.index("河南日报 <span class=\"tier\">省级媒体") < html.index(
        "新乡日报 <span class=\"tier\">门户网站"
    )
    assert f'href="/documents/{docs[1].id}"' in html and 'href="https://henan.test/2.html"' in html
    assert "代表性摘录" in html
    assert "incident=inc-xinxiang" in html
    # The report timeline, oldest first, says what each report is.
    timeline = html[html.index('<ol class="timeline"'):html.index("</ol>", html.index(
        '<ol class="timeline"'))]
    roles = re.findall(r'<span class="badge role role-(\w+)">([^<]+)</span>', timeline)
    assert roles == [("first", "首发"), ("official", "官方回应")]
    assert timeline.index("新乡12345热线接线员骂人") < timeline.index("新乡市通报")
    assert "首发 1 · 官方回应 1" in html
    data = client.get("/api/incidents/inc-xinxiang").get_json()
    assert [r["role"] for r in data["reports"]] == ["首发", "官方回应"]


def test_incidents_list_filters_by_level(client):
    html = page(client, "/incidents")
    assert all(f"/incidents/{i}" in html for i in ("inc-xss", "inc-xinxiang", "inc-guangzhou"))
    orange = page(client, "/incidents?level=orange")
    assert "/incidents/inc-xinxiang" in orange and "/incidents/inc-guangzhou" not in orange
    assert "未知的风险等级" in page(client, "/incidents?level=purple", 400)


def test_document_page(client, docs):
    html = page(client, f"/documents/{docs[1].id}")
    assert "<h1>新乡市通报12345接线员辱骂市民：涉事人员停职</h1>" in html
    assert "官方回应：通报、致歉、停职" in html
    assert 'href="/incidents/inc-xinxiang"' in html
    assert "<p>新乡市12345热线管理办公室发布通报" in html


def test_missing_things_are_404_in_chinese(client):
    assert "没有这篇文档" in page(client, "/documents/0000000000000000", 404)
    assert "没有这个事件" in page(client, "/incidents/inc-none", 404)
    assert "找不到这个页面" in page(client, "/no/such/page", 404)


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


# -- bad parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=notadate", "开始日期格式不对：notadate"),
        ("to=2021-13-01", "结束日期不存在"),
        ("from=2021-05-01&to=2021-04-01", "开始日期不能晚于结束日期"),
        ("limit=-5", "每页条数必须在 1 到"),
        ("limit=abc", "每页条数必须是整数"),
        ("page=0", "页码必须在"),
        ("page=600&limit=20", "最多只能翻到第 10000 条"),
        ("q=(a OR", "查询语法有误"),
        ('q="unterminated', "引号没有闭合"),
        ("q=a)", "多余的“)”"),
        ("neg_min=2", "负面度下限必须是 0 到 1 之间的数"),
        ("neg_min=nan", "负面度下限必须是 0 到 1 之间的数"),
        ("neg_min=0.8&neg_max=0.2", "负面度下限不能大于上限"),
        ("sort=loudest", "未知的排序方式"),
        ("category=bogus", "未知的问题类型：bogus"),
        ("all=maybe", "开关只能是 1 或 0"),
        ("q=" + "长" * 501, "查询过长"),
    ],
)
def test_bad_parameters_are_400_with_a_chinese_message(client, query, message):
    html = page(client, f"/search?{query}", 400)
    assert message in html and "请求有误" in html
    assert page(client, f"/search.csv?{query}", 400)
    api = client.get(f"/api/search?{query}")
    assert api.status_code == 400 and message in api.get_json()["error"]


def test_a_query_without_searchable_characters_is_a_400(client):
    assert "查询无法执行" in page(client, "/search?q=%2B%2B%2B", 400)


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
    late = _doc(99, "郑州12345热线深夜无人接听", "市民反映12345热线深夜无人接听。",
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


# -- untrusted content ---------------------------------------------------------------------


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<img" not in html and "onerror=alert(1)>" not in html
    assert "<i>省</i>" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_content_is_escaped_everywhere(client, docs):
    xss = docs[5]
    for url in (
        "/search?q=12345&sort=negativity",
        "/search?q=script",
        "/search?q=alert",
        "/search?all=1&limit=100",
        f"/documents/{xss.id}",
        "/incidents/inc-xss",
        "/incidents",
        "/?date=2021-04-25",
    ):
        assert_escaped(page(client, url))


def test_highlights_are_built_after_escaping(client):
    html = page(client, "/search?q=script")
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html
    assert "onerror=alert(1)&gt;" in html


def test_hostile_links_are_not_links(client, docs):
    html = page(client, "/search?q=公式")
    assert 'href="javascript:' not in html and "原文链接不可用" in html
    assert 'href="javascript:' not in page(client, f"/documents/{docs[6].id}")
    incident = page(client, "/incidents/inc-xss")
    assert 'href="javascript:' not in incident


def test_hostile_content_in_csv_and_json_stays_data(client, docs):
    body = client.get("/search.csv?q=script").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == docs[5].title  # verbatim data, not markup
    api = client.get("/api/search?q=script")
    assert api.headers["Content-Type"].startswith("application/json")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.get_json()["hits"][0]["title"] == docs[5].title


def test_highlight_escapes_each_piece_and_survives_bad_offsets():
    assert str(highlight("<b>骂</b>", [(3, 4)])) == "&lt;b&gt;<mark>骂</mark>&lt;/b&gt;"
    assert str(highlight("a<b", [(1, 2)])) == "a<mark>&lt;</mark>b"
    assert str(highlight("abc", [(2, 99), (-5, 1), (1, 1)])) == "<mark>a</mark>b<mark>c</mark>"
    assert str(highlight("abcd", [(0, 3), (1, 2)])) == "<mark>abc</mark>d"


def test_every_response_has_a_strict_content_security_policy(client, docs):
    for url in ("/", "/search?q=12345", "/search?q=(", f"/documents/{docs[0].id}",
                "/incidents/inc-xinxiang", "/api/search", "/nope", "/static/style.css"):
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                 "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
                 "frame-ancestors 'none'"):
        assert part in CONTENT_SECURITY_POLICY


def test_pages_have_no_inline_script_or_style(client, docs):
    for url in ("/?date=2021-04-25", "/search?q=12345", "/incidents/inc-xinxiang",
                f"/documents/{docs[1].id}"):
        html = page(client, url)
        assert "<style" not in html and " style=" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert len(scripts) == 1 and re.fullmatch(
            r'<script src="/static/app.js\?v=[0-9a-f]{12}" defer>', scripts[0]
        )
        assert not re.search(r"<[^>]+\son\w+=", html)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert '<html lang="zh-CN">' in html


def test_static_assets_are_in_the_package(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and b"@media (max-width: 800px)" in css.data
    assert b"http" not in css.data  # nothing loaded from elsewhere
    js = client.get("/static/app.js")
    assert js.status_code == 200 and b"fetch(" not in js.data


# -- who may connect ------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_token(host):
    check_listen(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_other_addresses_need_a_token(host):
    with pytest.raises(ListenError, match="needs users .* or an access token"):
        check_listen(host, None)
    check_listen(host, TOKEN)
    check_listen(host, None, users_exist=True)


def test_short_tokens_are_refused():
    with pytest.raises(ListenError, match="at least 16 characters"):
        check_listen("0.0.0.0", "short")


def test_serve_refuses_to_start_without_a_token(tmp_path, monkeypatch):
    monkeypatch.delenv("HOTWATCH_WEB_TOKEN", raising=False)
    result = CliRunner().invoke(
        serve, ["--host", "0.0.0.0", "--port", "0"], obj=Context(None, str(tmp_path))
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: listening on 0.0.0.0 needs users")


def test_serve_is_a_hotwatch_command(data_dir):
    from hotwatch.cli import cli

    if "serve" not in cli.commands:
        cli.add_command(serve)
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), "serve", "--host", "192.168.0.1"],
        env={"HOTWATCH_WEB_TOKEN": ""},
    )
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: listening on 192.168.0.1 needs users")


def test_the_host_header_must_be_loopback_without_a_token(client):
    assert client.get("/search", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/search", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert client.get("/search", headers={"Host": "attacker.example"}).status_code == 400


@pytest.fixture
def guarded(config: Config) -> Any:
    return create_app(config, token=TOKEN).test_client()


def test_token_guards_pages_and_api(guarded):
    response = guarded.get("/search?q=12345")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    api = guarded.get("/api/search")
    assert api.status_code == 401 and "访问令牌" in api.get_json()["error"]
    assert guarded.get("/api/search", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = guarded.get("/api/search", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    html = guarded.get("/search?q=12345", headers={"Authorization": f"Bearer {TOKEN}"})
    assert html.status_code == 200
    # Any host may be used once a token guards the server.
    assert guarded.get(
        "/api/search", headers={"Authorization": f"Bearer {TOKEN}", "Host": "10.0.0.5:8080"}
    ).status_code == 200
    assert guarded.get("/static/style.css").status_code == 200  # the login page needs it


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_form_sets_a_strict_session_cookie(guarded):
    form = page(guarded, "/login?next=/incidents")
    token = _csrf(form)
    assert guarded.post("/login", data={"token": TOKEN}).status_code == 400  # no CSRF token
    assert guarded.post(
        "/login", data={"token": TOKEN, "csrf_token": "forged"}
    ).status_code == 400
    wrong = guarded.post("/login", data={"token": "nope", "csrf_token": token})
    assert wrong.status_code == 403 and "访问令牌不正确" in wrong.get_data(as_text=True)
    assert guarded.get("/incidents").status_code == 302
    response = guarded.post(
        "/login", data={"token": TOKEN, "csrf_token": token, "next": "/incidents"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/incidents"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/incidents").status_code == 200
    # Logging out is a POST with the (new) session's CSRF token.
    logged_in = page(guarded, "/incidents")
    assert guarded.post("/logout", data={}).status_code == 400
    out = guarded.post("/logout", data={"csrf_token": _csrf(logged_in)})
    assert out.status_code == 302
    assert guarded.get("/incidents").status_code == 302


def test_login_never_redirects_off_site(guarded):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        token = _csrf(page(guarded, "/login"))
        response = guarded.post(
            "/login", data={"token": TOKEN, "csrf_token": token, "next": target}
        )
        assert response.headers["Location"] == "/"
        guarded.post("/logout", data={"csrf_token": _csrf(page(guarded, "/incidents"))})


def test_a_token_from_another_server_does_not_open_this_one(config, guarded):
    other = create_app(config, token="another-token-entirely-0123456").test_client()
    form = page(other, "/login")
    other.post("/login", data={"token": "another-token-entirely-0123456",
                               "csrf_token": _csrf(form)})
    cookie = other.get_cookie("hotwatch_session")
    guarded.set_cookie("hotwatch_session", cookie.value)
    assert guarded.get("/incidents").status_code == 302


def test_categories_match_the_cli():
    assert CATEGORIES == CLI_CATEGORIES


def test_the_cli_does_not_import_flask():
    import subprocess
    import sys

    code = "import sys, hotwatch.cli; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
