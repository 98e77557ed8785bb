"""The bundled sample site, the synthetic site and the loopback server that serves them."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotwatch.demo.server import serve
from hotwatch.demo.site import (
    SampleArticle,
    Site,
    build_site,
    bundled_articles,
    list_path,
    sample_site,
)
from hotwatch.demo.synthetic import synthetic_site

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FAILURE_WORDS = re.compile("辱骂|打不通|推诿|已办结|泄露")


def article(slug: str, day: int, encoding: str = "utf-8") -> SampleArticle:
    return SampleArticle(
        slug=slug,
        title=f"测试新闻标题第{day}号 市民反映热线问题",
        body=("第一段正文，记者了解到相关情况。", "第二段正文，有关部门已经介入。"),
        published=datetime(2021, 4, day, 10, 21, tzinfo=SHANGHAI),
        outlet="测试日报",
        author="张三",
        encoding=encoding,
    )


def html(site: Site, path: str) -> str:
    body, content_type = site.pages[path]
    return body.decode(content_type.split("charset=")[1])


def links(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)


@pytest.fixture(scope="module")
def sample() -> Site:
    return sample_site()


def test_build_site_has_articles_lists_feeds_and_robots():
    site = build_site([article(f"s{d}", d) for d in range(1, 26)], per_page=10)
    assert {"/", "/rss.xml", "/sitemap.xml", "/robots.txt"} <= set(site.pages)
    assert "/news/2021/04/25/s25.html" in site.pages
    assert [p for p in site.pages if p.startswith("/news/index")] == [
        "/news/index.html",
        "/news/index_2.html",
        "/news/index_3.html",
    ]
    assert site.pages["/news/2021/04/25/s25.html"][1] == "text/html; charset=utf-8"


def test_article_pages_look_like_chinese_news_pages():
    site = build_site([article("s1", 25), article("s2", 24)])
    page = html(site, "/news/2021/04/25/s1.html")
    assert "<h1>测试新闻标题第25号 市民反映热线问题</h1>" in page
    assert "2021-04-25 10:21 来源：测试日报 作者：张三" in page
    assert "<p>第二段正文，有关部门已经介入。</p>" in page
    for boilerplate in ("首页", "相关阅读", "分享到", "网友评论", "版权所有"):
        assert boilerplate in page
    assert '<link rel="canonical" href="/news/2021/04/25/s1.html">' in page
    assert ("/news/2021/04/24/s2.html", "测试新闻标题第24号 市民反映热线问题") in links(page)


def test_list_pages_paginate_with_next_and_numbers():
    site = build_site([article(f"s{d}", d) for d in range(1, 26)], per_page=10)
    first = links(html(site, list_path(1)))
    assert ("/news/index_2.html", "下一页") in first
    assert ("/news/index_3.html", "3") in first
    assert ("/news/2021/04/25/s25.html", "测试新闻标题第25号 市民反映热线问题") in first
    last = html(site, list_path(3))
    assert "下一页" not in last
    assert len([href for href, _ in links(last) if href.startswith("/news/2021/")]) == 5


def test_rss_is_valid_xml_with_one_item_per_article():
    site = build_site([article(f"s{d}", d) for d in range(1, 13)])
    root = ET.fromstring(site.pages["/rss.xml"][0])
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == 12
    newest = items[0]
    assert newest.findtext("link") == "/news/2021/04/12/s12.html"
    assert newest.findtext("pubDate") == "Mon, 12 Apr 2021 10:21:00 +0800"


def test_sitemap_and_robots():
    site = build_site([article("s1", 25)])
    root = ET.fromstring(site.pages["/sitemap.xml"][0])
    assert [u.findtext(f"{SITEMAP_NS}loc") for u in root] == ["/news/2021/04/25/s1.html"]
    robots = site.pages["/robots.txt"][0].decode()
    assert "Disallow: /private/" in robots and "Sitemap: " in robots


def test_gbk_article_declares_and_uses_gbk():
    site = build_site([article("g1", 25, encoding="gbk")])
    body, content_type = site.pages["/news/2021/04/25/g1.html"]
    assert content_type == "text/html; charset=gbk"
    assert b'<meta charset="gbk">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "测试新闻标题第25号" in body.decode("gbk")


def test_sample_site_covers_the_incidents_and_hard_negatives(sample):
    titles = [a.title for a in sample.articles]
    assert len(sample.public_articles()) >= 14
    for words in ("不要脸", "无人接听", "已办结", "泄露", "行政拘留", "锦旗", "受理量", "如何拨打"):
        assert any(words in t for t in titles), words
    assert any(a.encoding == "gbk" for a in sample.articles)
    repost = " ".join(next(a for a in sample.articles if "repost" in a.slug).body)
    assert "文章插图" in repost and "更多的热点资讯请访问首页" in repost
    assert all(a.published.utcoffset().total_seconds() == 8 * 3600 for a in sample.articles)


def test_private_article_is_linked_but_disallowed_and_not_in_feeds(sample):
    (private,) = [a for a in sample.articles if a.private]
    assert private.path.startswith("/private/") and private.path in sample.pages
    listed = "".join(html(sample, p) for p in sample.pages if p.startswith("/news/index"))
    assert private.path in listed
    assert private.path.encode() not in sample.pages["/rss.xml"][0]
    assert private.path.encode() not in sample.pages["/sitemap.xml"][0]


def test_bundled_articles_are_each_rendered_in_their_encoding(sample):
    for a in bundled_articles():
        body, content_type = sample.pages[a.path]
        assert content_type.endswith(a.encoding)
        assert a.title in body.decode(a.encoding)


def test_synthetic_site_is_deterministic_and_sized():
    first, again, other = synthetic_site(60, seed=3), synthetic_site(60, seed=3), synthetic_site(60)
    assert first.pages == again.pages
    assert first.pages != other.pages
    assert len(first.articles) == 60
    assert len([p for p in first.pages if p.startswith("/news/index")]) == 3  # 20 per page
    lengths = [sum(len(p) for p in a.body) for a in first.articles]
    assert min(lengths) >= 300 and max(lengths) <= 3500


def test_synthetic_site_mixes_hotline_failures_with_other_news():
    site = synthetic_site(200, seed=1)
    texts = [a.title + "".join(a.body) for a in site.articles]
    failures = [t for t in texts if FAILURE_WORDS.search(t)]
    unrelated = [t for t in texts if "12345" not in t]
    assert 0.2 < len(failures) / len(texts) < 0.6
    assert 0.3 < len(unrelated) / len(texts) < 0.7
    assert len({a.outlet for a in site.articles}) > 10
    assert any(a.encoding == "gbk" for a in site.articles)
    root = ET.fromstring(site.pages["/rss.xml"][0])
    assert len(root.findall("channel/item")) == 50  # the newest 50, as feeds do


def test_serve_answers_pages_and_404_quietly(sample, capsys):
    with serve(sample) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert not server.url.endswith(":0")
        with urllib.request.urlopen(server.url + "/rss.xml", timeout=10) as response:
            assert response.status == 200
            assert ET.fromstring(response.read()).tag == "rss"
        gbk = next(a for a in sample.articles if a.encoding == "gbk")
        with urllib.request.urlopen(server.url + gbk.path, timeout=10) as response:
            assert response.headers["Content-Type"] == "text/html; charset=gbk"
            assert gbk.title in response.read().decode("gbk")
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server.url + "/no/such/page.html", timeout=10)
        assert error.value.code == 404
    assert capsys.readouterr().err == ""  # no request log


def test_serve_closes_its_port():
    server = serve(build_site([article("s1", 25)]))
    url = server.url
    server.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/", timeout=5)
