"""URL variants of one article map to one URL; different articles never do."""

from __future__ import annotations

import pytest

from crawler.urls import article_url


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("http://127.0.0.1:8080/news/a1.html?from=list2", "http://127.0.0.1:8080/news/a1.html"),
        (
            "https://m.163.com/news/a/ABC.html?spm=a.b&utm_source=wx",
            "https://www.163.com/news/a/ABC.html",
        ),
        ("https://www.163.com/news/a/ABC.html#comments", "https://www.163.com/news/a/ABC.html"),
        ("https://wap.example.com.cn/dir/index.html", "https://www.example.com.cn/dir/"),
        (
            "http://x.gov.cn/a.html?id=3&from=timeline&isappinstalled=0",
            "http://x.gov.cn/a.html?id=3",
        ),
        ("HTTP://News.Example.CN:80/a.shtml", "http://news.example.cn/a.shtml"),
    ],
)
def test_variants_map_to_one_url(variant, expected):
    assert article_url(variant) == expected


@pytest.mark.parametrize(
    "different",
    [
        "http://x.gov.cn/a.html?id=4",  # a real parameter
        "http://m.cn/a.html",  # a two-label host is not a mobile prefix
        "http://x.gov.cn/b.html",
    ],
)
def test_other_pages_stay_apart(different):
    assert article_url(different) != article_url("http://x.gov.cn/a.html?id=3")
    assert article_url(different) == article_url(article_url(different))
