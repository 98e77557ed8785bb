"""``hotwatch serve``'s pages through Flask's test client (no sockets): today, search,
incidents, documents, and bad parameters answered in Chinese (the store:
``tests/web_fixtures.py``).
"""

from __future__ import annotations

import re

import pytest

from tests.web_fixtures import (  # noqa: F401 (client, config, data_dir, docs: fixtures)
    client,
    config,
    data_dir,
    docs,
    documents,
    hit_titles,
    incidents,
    page,
)

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
    # Relevant on the 25th: 0.9, 0.7, 0.95 are 负面, 0.35 is 中性 (negativity_band).
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
    # 04-19..04-25: 0.9, 0.7, 0.95, 0.8 are 负面; 0.1 is 正面; 0.35 and 25 x 0.3 are 中性.
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
    low = next(d for d in docs if d.negativity == 0.1)
    html = page(client, f"/documents/{low.id}")
    assert "正面（0.10）" in html and "负面（0.10）" not in html


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
