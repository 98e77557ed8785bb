"""Extraction of title, text and metadata from Chinese article pages."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from analysis.extract import ExtractOptions, decode_html, extract_article
from analysis.extract.title import strip_site_name
from analysis.model import Article

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2021, 4, 26, 12, 0, tzinfo=SHANGHAI)
OPTIONS = ExtractOptions(now=NOW)
PAGES = Path(__file__).parent / "pages"
SHARED = Path(__file__).resolve().parents[2] / "shared"

PARAGRAPHS = [
    "家住城东区的陈先生反映，他为楼下餐馆油烟扰民的问题先后六次拨打12345热线，却一直被来回转办。",
    "陈先生说，第一次打电话时，接线员告诉他已经转交环保部门处理；一周后，环保部门又说归城管管理。",
    "“每次都说转办了，可问题一直没人管。”陈先生告诉记者，家里的窗户常年不敢打开，老人的哮喘也加重了。",
    "对此，区热线办公室负责人表示，将牵头召开联席会议，明确责任单位，并在十个工作日内给市民答复。",
]
ARTICLE = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
NAV = (
    '<div class="nav"><a href="/">首页</a> <a href="/news">新闻</a> <a href="/finance">财经</a>'
    ' <a href="/sports">体育</a> <a href="/ent">娱乐</a> <a href="/auto">汽车</a></div>'
)


def page(body: str, head: str = "", title: str = "热线工单被踢皮球 市民六次投诉无果") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{NAV}{body}</body></html>"
    )


def extract(html: str, url: str | None = None, **options: object) -> Article:
    return extract_article(html, url=url, options=ExtractOptions(now=NOW, **options))


def test_main_text_is_the_paragraphs_joined_with_newlines() -> None:
    article = extract(page(f"<h1>热线工单被踢皮球 市民六次投诉无果</h1><div>{ARTICLE}</div>"))
    assert article.text == "\n".join(PARAGRAPHS)


# --- title -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "热线工单被踢皮球 市民六次投诉无果_新浪网",
        "热线工单被踢皮球 市民六次投诉无果-搜狐",
        "热线工单被踢皮球 市民六次投诉无果 | 澎湃新闻",
        "热线工单被踢皮球 市民六次投诉无果_凤凰网资讯_凤凰网",
        "热线工单被踢皮球 市民六次投诉无果—中国青年网",
        "热线工单被踢皮球 市民六次投诉无果 - 新闻中心 - 华东网",
    ],
)
def test_title_loses_site_suffix(title: str) -> None:
    assert strip_site_name(title) == "热线工单被踢皮球 市民六次投诉无果"
    assert extract(page(ARTICLE, title=title)).title == "热线工单被踢皮球 市民六次投诉无果"


def test_title_prefers_heading_agreeing_with_title_tag() -> None:
    html = page(
        f"<h1>华东网</h1><h1>热线工单被踢皮球</h1>{ARTICLE}", title="热线工单被踢皮球_华东网"
    )
    assert extract(html).title == "热线工单被踢皮球"


def test_title_prefers_og_title() -> None:
    head = '<meta property="og:title" content="热线工单被踢皮球 市民六次投诉无果">'
    html = page(ARTICLE, head=head, title="热线工单被踢皮球 市民六次投诉无果_社会_华东网")
    assert extract(html).title == "热线工单被踢皮球 市民六次投诉无果"


def test_title_drops_bracketed_repeat() -> None:
    html = page(ARTICLE, title="热线接线员骂人【热线接线员骂人】")
    assert extract(html).title == "热线接线员骂人"


# --- boilerplate -------------------------------------------------------------------


def test_boilerplate_is_removed() -> None:
    title = "热线工单被踢皮球 市民六次投诉无果"
    body = f"""
      <div class="crumb"><a href="/">首页</a> &gt; <a href="/news">新闻</a> &gt; 正文</div>
      <h1>{title}</h1>
      <div class="info">2021-04-25 10:21 来源：华东晚报</div>
      <div class="share-bar">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
      <div class="content">
        <p>{title}</p>
        <p>{PARAGRAPHS[0]}</p><p>文章插图</p><p>{PARAGRAPHS[1]}</p>
        <p>【{title}】{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p>
        <p>以上就是热线工单的全部内容，更多的热点资讯请访问首页。</p>
        <p>（责任编辑：赵静）</p>
        <p>推荐阅读</p>
        <ul><li><a href="/1">折叠屏手机哪家强？</a></li><li><a href="/2">黄瓜打顶的方法</a></li></ul>
        <p>这一段在推荐阅读之后，属于其他文章的摘要，不应出现在正文里。</p>
      </div>
      <div class="comment-list"><p>网友：我家楼下也是这样，打了好几次电话都没有用，希望这次能解决。</p></div>
      <div class="footer"><p>Copyright © 2021 华东网 版权所有</p></div>
    """
    text = extract(page(body, title=f"{title}_华东网")).text
    assert text == "\n".join(PARAGRAPHS)


@pytest.mark.parametrize(
    "heading", ["推荐阅读", "相关阅读", "相关新闻", "【相关新闻】", "猜你喜欢："]
)
def test_related_links_heading_ends_the_text(heading: str) -> None:
    body = f"<div>{ARTICLE}<p>{heading}</p><p>其他的新闻内容，出现在相关链接之后，不属于本文。</p></div>"
    assert extract(page(body)).text == "\n".join(PARAGRAPHS)


def test_link_lists_and_sidebars_are_not_text() -> None:
    links = "".join(
        f'<li><a href="/{i}">热门新闻标题第{i}条，点击查看详情</a></li>' for i in range(12)
    )
    body = f'<div class="main">{ARTICLE}</div><div class="list"><ul>{links}</ul></div>'
    assert extract(page(body)).text == "\n".join(PARAGRAPHS)


def test_br_separated_text_in_table_layout() -> None:
    cell = "<br><br>".join(PARAGRAPHS)
    body = f'<table><tr><td width="200">{NAV}</td><td class="zw">{cell}</td></tr></table>'
    assert extract(page(body)).text == "\n".join(PARAGRAPHS)


def test_first_post_of_a_forum_thread_is_the_article() -> None:
    posts = "".join(
        f'<tr><td class="head">{n}楼 发表于 2021-04-2{n} 10:0{n}</td></tr>'
        f'<tr><td class="post">{text}</td></tr>'
        for n, text in enumerate(PARAGRAPHS[1:], start=1)
    )
    article = extract(page(f'<table class="thread">{posts}</table>'))
    assert article.text == PARAGRAPHS[1]
    assert article.published_at == datetime(2021, 4, 21, 10, 1, tzinfo=SHANGHAI)


# --- author, outlet, canonical -------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("作者：张三", "张三"),
        ("作者：张三 时间：2021-04-25", "张三"),
        ("本报记者 王小明 李芳", "王小明 李芳"),
        ("（记者 刘涛）", "刘涛"),
        ("文/陈晓 图/李明", "陈晓"),
        ("来源：新华日报 编辑：赵静", "赵静"),
        ("责任编辑：赵静", "赵静"),
    ],
)
def test_author_is_just_the_name(byline: str, expected: str) -> None:
    body = f'<h1>热线工单被踢皮球 市民六次投诉无果</h1><div class="info">{byline}</div>{ARTICLE}'
    assert extract(page(body)).author == expected


def test_author_from_meta() -> None:
    head = '<meta name="author" content="张三">'
    assert extract(page(ARTICLE, head=head)).author == "张三"


def test_reporter_inside_prose_is_not_an_author() -> None:
    body = "<p>记者了解到，" + PARAGRAPHS[0] + "</p>" + ARTICLE
    assert extract(page(body)).author is None


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("来源：新华网", "新华网"),
        ("2021-04-25 10:21 来源：华东晚报 作者：张三", "华东晚报"),
        ("来源：人民日报客户端 | 编辑：赵静", "人民日报客户端"),
    ],
)
def test_outlet_from_source_label(info: str, expected: str) -> None:
    body = f'<h1>热线工单被踢皮球 市民六次投诉无果</h1><div class="info">{info}</div>{ARTICLE}'
    assert extract(page(body)).outlet == expected


def test_outlet_from_site_name_meta() -> None:
    head = '<meta property="og:site_name" content="澎湃新闻">'
    assert extract(page(ARTICLE, head=head)).outlet == "澎湃新闻"


def test_canonical_link_is_resolved_against_url() -> None:
    head = '<link rel="canonical" href="/news/2021/0425/1.html">'
    article = extract(page(ARTICLE, head=head), url="https://www.example.cn/m/1.html?from=app")
    assert article.canonical_url == "https://www.example.cn/news/2021/0425/1.html"


def test_canonical_from_og_url_then_url() -> None:
    head = '<meta property="og:url" content="https://www.example.cn/a/1.html">'
    assert extract(page(ARTICLE, head=head)).canonical_url == "https://www.example.cn/a/1.html"
    assert extract(page(ARTICLE), url="https://m.example.cn/1").canonical_url == (
        "https://m.example.cn/1"
    )


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:published_time" content="2021-04-25T10:21:00+08:00">',
        '<meta name="pubdate" content="2021-04-25 10:21">',
        '<meta name="PubDate" content="2021-04-25 10:21:00">',
        '<meta name="publishdate" content="2021年04月25日 10:21">',
        '<meta property="og:release_date" content="2021-04-25T02:21:00Z">',
        '<script type="application/ld+json">'
        '{"@type": "NewsArticle", "datePublished": "2021-04-25T10:21:00+08:00"}</script>',
    ],
)
def test_date_from_metadata(head: str) -> None:
    published = extract(page(ARTICLE, head=head)).published_at
    assert published == datetime(2021, 4, 25, 10, 21, tzinfo=SHANGHAI)


def test_date_from_time_element() -> None:
    body = f'<h1>热线工单被踢皮球 市民六次投诉无果</h1><time datetime="2021-04-25T10:21">昨天</time>{ARTICLE}'
    assert extract(page(body)).published_at == datetime(2021, 4, 25, 10, 21, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("发布时间：2021-04-25 10:21", datetime(2021, 4, 25, 10, 21)),
        ('<span class="pubtime">2021年04月25日 10:21</span>', datetime(2021, 4, 25, 10, 21)),
        ('<span class="time">3小时前</span>', datetime(2021, 4, 26, 9, 0)),
        ('<span class="date">昨天 10:21</span>', datetime(2021, 4, 25, 10, 21)),
    ],
)
def test_date_near_the_title(info: str, expected: datetime) -> None:
    body = f"<h1>热线工单被踢皮球 市民六次投诉无果</h1><div>{info}</div>{ARTICLE}"
    assert extract(page(body)).published_at == expected.replace(tzinfo=SHANGHAI)


def test_date_from_url_when_page_has_none() -> None:
    article = extract(page(ARTICLE), url="https://www.example.cn/news/20210424/1.html")
    assert article.published_at == datetime(2021, 4, 24, tzinfo=SHANGHAI)


def test_date_from_text_as_last_resort() -> None:
    body = f"{ARTICLE}<p>（2021年4月23日）</p>"
    assert extract(page(body)).published_at == datetime(2021, 4, 23, tzinfo=SHANGHAI)


def test_no_date_at_all() -> None:
    assert extract(page(ARTICLE)).published_at is None


def test_date_only_metadata_takes_the_time_shown_in_the_header() -> None:
    head = '<meta name="publishdate" content="2021-04-25">'
    body = f"<h1>热线工单被踢皮球 市民六次投诉无果</h1><div>2021年04月25日07:48 来源：新华日报</div>{ARTICLE}"
    published = extract(page(body, head=head)).published_at
    assert published == datetime(2021, 4, 25, 7, 48, tzinfo=SHANGHAI)


# --- robustness ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n  ",
        "<html></html>",
        "<html><body></body></html>",
        "not html at all",
        "<<<>>>&&&",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>你好</p></body></html>",
        "<html><body><div><p>没有闭合的标签<div><span>嵌套" * 50,
        "<html><head><title>只有标题</title></head></html>",
        "\x00\x01<p>\x00控制字符</p>",
    ],
)
def test_malformed_or_empty_input_never_raises(html: str) -> None:
    article = extract_article(html, options=OPTIONS)
    assert isinstance(article, Article)
    assert isinstance(article.text, str) and isinstance(article.title, str)


def test_empty_page_gives_empty_article_with_url() -> None:
    article = extract_article("", url="https://www.example.cn/1.html", options=OPTIONS)
    assert article == Article(title="", text="", canonical_url="https://www.example.cn/1.html")


def test_deeply_nested_page() -> None:
    html = "<html><body>" + "<div>" * 1500 + ARTICLE + "</div>" * 1500 + "</body></html>"
    assert extract(html).text == "\n".join(PARAGRAPHS)


def test_nesting_beyond_the_parser_limit_does_not_raise() -> None:
    html = "<html><body>" + "<font>" * 5000 + ARTICLE + "</body></html>"
    assert isinstance(extract(html), Article)


def test_unclosed_paragraphs() -> None:
    html = "<html><body>" + "".join(f"<p>{p}" for p in PARAGRAPHS) + "</body></html>"
    assert extract(html).text == "\n".join(PARAGRAPHS)


def test_scripts_styles_and_hidden_elements_are_not_text() -> None:
    body = (
        "<script>var a = '脚本里的中文，不是正文。';</script><style>p{}</style>"
        '<div style="display: none">隐藏的文字，也不是正文，不应该出现。</div>'
        f"<div>{ARTICLE}</div>"
    )
    assert extract(page(body)).text == "\n".join(PARAGRAPHS)


def test_control_characters_after_a_hidden_element_keep_the_text() -> None:
    """lxml parses ``\x1c`` into a tail but refuses it when the hidden element's tail
    joins the text before it: the page used to come out empty."""
    body = (
        '<div><p>前言。</p><span style="display:none">隐藏</span>\x1c说明\x07文字。</div>'
        f"<div>{ARTICLE}</div>"
    )
    article = extract(page(body))
    assert article.title == "热线工单被踢皮球 市民六次投诉无果"
    assert article.text.endswith("\n".join(PARAGRAPHS))
    assert "\x07" not in article.text and "\x1c" not in article.text


# --- decoding ------------------------------------------------------------------------


def test_decode_gbk_declared_in_meta() -> None:
    html = page(ARTICLE).replace("charset='utf-8'", "charset='gb2312'")
    assert decode_html(html.encode("gbk")) == html


def test_decode_gbk_from_http_header() -> None:
    html = f"<html><body>{ARTICLE}</body></html>"
    assert decode_html(html.encode("gb18030"), http_encoding="GBK") == html


def test_decode_undeclared_gbk_is_detected() -> None:
    html = f"<html><body>{ARTICLE}</body></html>"
    assert decode_html(html.encode("gbk")) == html


def test_decode_utf8_bom_and_stale_meta() -> None:
    html = page(ARTICLE).replace("charset='utf-8'", "charset='gbk'")
    assert decode_html(b"\xef\xbb\xbf" + html.encode("utf-8")) == html
    assert decode_html(html.encode("utf-8")) == html


def test_decode_unknown_http_charset_falls_back() -> None:
    html = f"<html><body>{ARTICLE}</body></html>"
    assert decode_html(html.encode("utf-8"), http_encoding="x-no-such-charset") == html


def test_gbk_bytes_through_decode_and_extract() -> None:
    html = page(ARTICLE).replace("charset='utf-8'", "charset='gbk'")
    article = extract(decode_html(html.encode("gbk")))
    assert article.text == "\n".join(PARAGRAPHS)


# --- per-site overrides ----------------------------------------------------------------


SITE_PAGE = page(
    '<div class="hd"><span class="t">站点自定义标题</span><em class="d">2021-04-20 08:00</em>'
    '<i class="w">孙悟空</i></div>'
    f'<div class="other">{ARTICLE}</div>'
    '<div class="story"><p>选择器指定的正文，虽然很短，但是应该被原样采用。</p></div>'
)


def test_css_selectors_override_everything() -> None:
    article = extract(
        SITE_PAGE,
        title_selector="span.t",
        body_selector="div.story",
        date_selector="em.d",
        author_selector=".w",
    )
    assert article.title == "站点自定义标题"
    assert article.text == "选择器指定的正文，虽然很短，但是应该被原样采用。"
    assert article.published_at == datetime(2021, 4, 20, 8, 0, tzinfo=SHANGHAI)
    assert article.author == "孙悟空"


def test_xpath_selectors() -> None:
    article = extract(
        SITE_PAGE,
        title_selector="//span[@class='t']/text()",
        body_selector="(//div[@class='story'])[1]",
        date_selector="//em[@class='d']",
    )
    assert article.title == "站点自定义标题"
    assert article.text == "选择器指定的正文，虽然很短，但是应该被原样采用。"
    assert article.published_at == datetime(2021, 4, 20, 8, 0, tzinfo=SHANGHAI)


def test_selector_matching_nothing_falls_back_to_automatic() -> None:
    article = extract(page(ARTICLE), body_selector="div.nothing-here", title_selector="h5")
    assert article.text == "\n".join(PARAGRAPHS)
    assert article.title == "热线工单被踢皮球 市民六次投诉无果"


@pytest.mark.parametrize(
    ("field", "selector"),
    [
        ("body_selector", "div[["),
        ("title_selector", "//h1[@class="),
        ("date_selector", "(//span"),
        ("author_selector", ""),
    ],
)
def test_invalid_selector_raises_value_error(field: str, selector: str) -> None:
    with pytest.raises(ValueError, match=field):
        ExtractOptions(**{field: selector})


def test_options_are_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        ExtractOptions("h1")  # type: ignore[misc]
    options = ExtractOptions(title_selector="h1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.title_selector = "h2"  # type: ignore[misc]


def test_invalid_now_or_timezone_raises_value_error() -> None:
    with pytest.raises(ValueError, match="now"):
        ExtractOptions(now="2021-04-25")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone"):
        ExtractOptions(timezone="Asia/Shanghai")  # type: ignore[arg-type]


# --- saved pages ---------------------------------------------------------------------


def saved(name: str, url: str | None = None) -> Article:
    return extract_article((PAGES / name).read_text(encoding="utf-8"), url=url, options=OPTIONS)


def test_news_portal_page() -> None:
    article = saved("news_portal.html", url="https://www.example.cn/m/123.html")
    assert article.title == "市民投诉12345热线“踢皮球” 区里回应将整改"
    assert article.published_at == datetime(2021, 4, 25, 10, 21, tzinfo=SHANGHAI)
    assert article.author == "王小明 李芳"
    assert article.outlet == "华东晚报"
    assert article.canonical_url == "https://www.example.cn/news/2021/0425/hotline-123.html"
    assert article.text.startswith("华东晚报讯（记者 王小明 李芳）近日")
    assert article.text.endswith("避免群众的诉求在部门之间空转。")
    for junk in ("文章插图", "分享到", "相关新闻", "网友评论", "热门排行", "版权所有", "责任编辑"):
        assert junk not in article.text
    assert len(article.text.split("\n")) == 6


def test_government_table_layout_page() -> None:
    article = saved("gov_table_layout.html")
    assert article.title == "新乡市12345热线开展服务质量专项整改"
    assert article.published_at == datetime(2021, 4, 25, 10, 21, 33, tzinfo=SHANGHAI)
    assert article.author == "李四"
    assert article.outlet == "市政务服务中心"
    assert article.text.startswith("为切实提升12345政务服务便民热线服务质量")
    assert article.text.endswith("事事有回音。")
    for junk in ("字号", "浏览次数", "相关链接", "热点信息", "版权所有", "当前位置"):
        assert junk not in article.text


def test_content_farm_page() -> None:
    article = saved("content_farm.html", url="https://www.example.cn/zixun/2021/0420/5.html")
    assert article.title == "接线员忘挂电话骂市民 热线回访变吐槽"
    assert article.published_at == datetime(2021, 4, 26, 9, 0, tzinfo=SHANGHAI)  # 3小时前
    assert article.text.startswith("据了解，接线员忘挂电话骂市民的具体情况是这样的。")
    assert article.text.endswith("开展服务规范培训。")
    for junk in ("文章插图", "推荐阅读", "请访问首页", "【接线员", "黄瓜", "侵权"):
        assert junk not in article.text


def test_forum_thread_page() -> None:
    article = saved("forum_thread.html")
    assert article.title == "打了三次12345还是没人管，大家说说怎么办"
    assert article.published_at == datetime(2021, 4, 20, 9, 15, tzinfo=SHANGHAI)
    assert article.text.startswith("小区门口的路灯坏了快一个月了")
    assert "市长信箱" not in article.text


# --- real pages from ../shared (skipped in a fresh clone) ---------------------------------


REAL_PAGES = SHARED / "data" / "extraction" / "real-pages"


def test_real_pages_extract_without_errors() -> None:
    if not REAL_PAGES.is_dir():
        pytest.skip(f"{REAL_PAGES} is not there")
    files = sorted(REAL_PAGES.rglob("*.html"))
    assert files
    for path in files:
        article = extract_article(decode_html(path.read_bytes()), options=OPTIONS)
        assert article.title, path.name
        assert article.text, path.name


def test_content_chars_counts_cjk_and_a_third_of_ascii_letters() -> None:
    from analysis.extract.html import content_chars

    def by_hand(text: str) -> float:
        cjk = sum(
            "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"
            for c in text
        )
        return cjk + sum(c.isascii() and c.isalpha() for c in text) / 3

    for text in [
        "",
        "abc",
        "热线12345 ok",
        "㐀䶿豈﫿\u33ff\ufb00😀𠀀",
        "ＡＢＣ，热线打不通！xyz\n",
    ]:
        assert content_chars(text) == by_hand(text)
    assert content_chars("热线 hotline") == 2 + 7 / 3


@pytest.mark.parametrize("splitter", ["text_lines", "python_text_lines"])
def test_text_lines_count_as_the_python_definitions_do(splitter: str) -> None:
    """The compiled splitter (``_lines.pyx``) and the Python one count what ``compact``,
    ``content_chars`` and ``SENTENCE_PUNCTUATION_RE`` count, over ideographic, no-break
    and zero-width spaces, links, ``<br>`` and characters outside the Basic Multilingual
    Plane."""
    from analysis.extract import html
    from analysis.extract.html import (
        SENTENCE_PUNCTUATION_RE,
        compact,
        content_chars,
        parse_html,
        squeeze,
    )

    text_lines = getattr(html, splitter)

    page = (
        '<html><body><div>\u3000\u3000热线\xa0打不通，ABC\u200b市民！<a href="/x">点击 here\ufeff…</a>'
        "<br>第二行\t“引号”；<b>粗体</b>尾巴</div><p><a href='/y'>全是链接</a></p><p> \u200b \n</p>"
        "<ul><li>一、二 𠀀 㐀 豈</li></ul>尾部文字</body></html>"
    )
    raw = [  # each line's text as collected, and the part of it inside links
        ("\u3000\u3000热线\xa0打不通，ABC\u200b市民！点击 here\ufeff…", "点击 here\ufeff…", "div"),
        ("第二行\t“引号”；粗体尾巴", "", "div"),
        ("全是链接", "全是链接", "p"),
        ("一、二 𠀀 㐀 豈", "", "li"),
        ("尾部文字", "", "body"),
    ]
    lines = text_lines(parse_html(page))
    assert [(line.text, line.owner.tag) for line in lines] == [
        (squeeze(text), tag) for text, _, tag in raw
    ]
    for line, (text, linked, _) in zip(lines, raw, strict=True):
        assert line.chars == len(compact(text))
        assert line.link_chars == min(line.chars, len(compact(linked)))
        assert line.content == max(content_chars(text) - content_chars(linked), 0.0)
        assert line.punctuation == len(SENTENCE_PUNCTUATION_RE.findall(text))
    assert [line.chars for line in lines] == [19, 12, 4, 6, 4]
    assert lines[0].content == 9 + 7 / 3 - (2 + 4 / 3)


def test_compiled_and_python_text_lines_agree_on_the_real_pages() -> None:
    from analysis.extract import html

    if html._compiled_split_lines is None:
        pytest.skip("analysis/extract/_lines.pyx is not built")
    files = sorted(SHARED.rglob("*.html")) if SHARED.is_dir() else []
    if not files:
        pytest.skip(f"no pages under {SHARED}")
    for path in files:
        root = html.parse_html(decode_html(path.read_bytes()))
        html.prune(root)
        fields = ("text", "owner", "chars", "link_chars", "content", "punctuation")
        compiled, python = html.text_lines(root), html.python_text_lines(root)
        assert [[getattr(line, f) for f in fields] for line in compiled] == [
            [getattr(line, f) for f in fields] for line in python
        ], path.name
