"""A small news site model: articles rendered as realistic Chinese news pages, list pages,
RSS, a sitemap and robots.txt. Used by ``hotwatch demo``, the tests and the benchmarks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape
from importlib import resources
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
HTML = "text/html; charset={}"
RSS_ITEMS = 50


@dataclass(frozen=True)
class SampleArticle:
    slug: str
    title: str
    body: tuple[str, ...]
    published: datetime
    outlet: str
    author: str
    encoding: str = "utf-8"
    private: bool = False

    @property
    def path(self) -> str:
        if self.private:
            return f"/private/{self.slug}.html"
        return f"/news/{self.published:%Y/%m/%d}/{self.slug}.html"


@dataclass
class Site:
    name: str
    articles: list[SampleArticle]
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def public_articles(self) -> list[SampleArticle]:
        return [a for a in self.articles if not a.private]


def sample_site() -> Site:
    """The bundled sample site: three incidents, other failures and hard negatives."""
    return build_site(bundled_articles(), site_name="示例新闻网")


def bundled_articles() -> list[SampleArticle]:
    raw = resources.files("hotwatch.demo").joinpath("articles/sample.toml").read_text("utf-8")
    return [
        SampleArticle(
            slug=a["slug"],
            title=a["title"],
            body=tuple(a["body"]),
            published=datetime.fromisoformat(a["published"]),
            outlet=a["outlet"],
            author=a["author"],
            encoding=a.get("encoding", "utf-8"),
            private=a.get("private", False),
        )
        for a in tomllib.loads(raw)["articles"]
    ]


def build_site(
    articles: list[SampleArticle], *, per_page: int = 10, site_name: str = "示例新闻网"
) -> Site:
    site = Site(site_name, articles)
    public = sorted(site.public_articles(), key=lambda a: a.published, reverse=True)
    for article in articles:
        site.pages[article.path] = (
            render_article(article, site_name, related=public[:5]).encode(article.encoding),
            HTML.format(article.encoding),
        )
    listing = public + [a for a in articles if a.private]
    pages = [listing[i : i + per_page] for i in range(0, len(listing), per_page)] or [[]]
    for number, chunk in enumerate(pages, start=1):
        site.pages[list_path(number)] = (
            render_list(chunk, number, len(pages), site_name).encode("utf-8"),
            HTML.format("utf-8"),
        )
    site.pages["/"] = (render_home(site_name).encode("utf-8"), HTML.format("utf-8"))
    site.pages["/rss.xml"] = (render_rss(public, site_name).encode("utf-8"), "application/rss+xml")
    site.pages["/sitemap.xml"] = (render_sitemap(public).encode("utf-8"), "application/xml")
    site.pages["/robots.txt"] = (
        b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\n",
        "text/plain",
    )
    return site


NAV_LINKS = " ".join(
    f'<a href="{href}">{name}</a>'
    for name, href in (
        ("首页", "/"),
        ("新闻", "/news/index.html"),
        ("社会", "/news/index.html"),
        ("民生", "/news/index.html"),
        ("政务", "/news/index.html"),
        ("财经", "/news/index.html"),
        ("教育", "/news/index.html"),
        ("健康", "/news/index.html"),
        ("文旅", "/news/index.html"),
        ("房产", "/news/index.html"),
        ("汽车", "/news/index.html"),
        ("视频", "/"),
        ("图片", "/"),
        ("评论", "/"),
        ("专题", "/"),
        ("问政", "/"),
    )
)


def list_path(number: int) -> str:
    return "/news/index.html" if number == 1 else f"/news/index_{number}.html"


def render_article(article: SampleArticle, site_name: str, related: list[SampleArticle]) -> str:
    charset = "gbk" if article.encoding == "gbk" else "utf-8"
    paragraphs = "\n".join(f"      <p>{escape(p)}</p>" for p in article.body)
    related_items = "\n".join(
        f'        <li><a href="{r.path}">{escape(r.title)}</a></li>'
        for r in related
        if r.slug != article.slug
    )
    ranking = "\n".join(
        f'        <li><a href="{r.path}">{escape(r.title)}</a></li>' for r in related[:3]
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="{charset}">
  <title>{escape(article.title)}_{escape(site_name)}</title>
  <meta name="keywords" content="新闻,社会,民生">
  <link rel="canonical" href="{article.path}">
</head>
<body>
  <div class="top-bar"><a href="/">设为首页</a> | <a href="/">加入收藏</a> | <a href="/">手机版</a> | <a href="/">登录</a> <a href="/">注册</a></div>
  <div class="top-nav">
    {NAV_LINKS}
  </div>
  <form class="search" action="/search"><input name="q" placeholder="请输入关键词"><button>搜索</button></form>
  <div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/news/index.html">社会新闻</a> &gt; 正文</div>
  <div class="main">
    <div class="article">
      <h1>{escape(article.title)}</h1>
      <div class="info">{article.published:%Y-%m-%d %H:%M} 来源：{escape(article.outlet)} 作者：{escape(article.author)}</div>
      <div class="article-content">
{paragraphs}
      </div>
      <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
      <div class="editor">责任编辑：李明</div>
    </div>
    <div class="related">
      <h3>相关阅读</h3>
      <ul>
{related_items}
      </ul>
    </div>
    <div class="hot-rank">
      <h3>热点排行</h3>
      <ol>
{ranking}
      </ol>
    </div>
    <div class="comment">
      <h3>网友评论</h3>
      <form action="/comment" method="post"><textarea name="c"></textarea><button>发表评论</button></form>
    </div>
  </div>
  <div class="footer">关于我们 | 联系我们 | 广告服务 | 版权所有 {escape(site_name)} 未经授权禁止转载</div>
</body>
</html>
"""


def render_list(chunk: list[SampleArticle], number: int, total: int, site_name: str) -> str:
    items = "\n".join(
        f'    <li><a href="{a.path}">{escape(a.title)}</a> <span>{a.published:%Y-%m-%d}</span></li>'
        for a in chunk
    )
    numbers = " ".join(
        f'<a href="{list_path(n)}">{n}</a>' for n in range(1, total + 1) if n != number
    )
    next_link = f'<a href="{list_path(number + 1)}">下一页</a>' if number < total else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>社会新闻_第{number}页_{escape(site_name)}</title></head>
<body>
  <div class="nav"><a href="/">首页</a> <a href="/news/index.html">社会新闻</a></div>
  <ul class="news-list">
{items}
  </ul>
  <div class="pages">{numbers} {next_link}</div>
</body></html>
"""


def render_home(site_name: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(site_name)}</title></head>
<body><h1>{escape(site_name)}</h1><p><a href="/news/index.html">社会新闻</a></p></body></html>
"""


def render_rss(articles: list[SampleArticle], site_name: str) -> str:
    """RSS 2.0 with the newest 50 articles (links relative to the site, as some sites do)."""
    items = "\n".join(
        f"    <item><title>{xml_escape(a.title)}</title><link>{a.path}</link>"
        f"<description>{xml_escape(_summary(a))}</description>"
        f'<guid isPermaLink="false">{xml_escape(a.slug)}</guid>'
        f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
        for a in articles[:RSS_ITEMS]
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{xml_escape(site_name)}</title><link>/</link>
<description>{xml_escape(site_name)}最新新闻</description><language>zh-cn</language>
{items}
</channel></rss>
"""


def _summary(article: SampleArticle) -> str:
    first = article.body[0] if article.body else ""
    return first if len(first) <= 80 else first[:80] + "……"


def render_sitemap(articles: list[SampleArticle]) -> str:
    urls = "\n".join(
        f"  <url><loc>{a.path}</loc><lastmod>{a.published:%Y-%m-%d}</lastmod></url>"
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""


# -- the synthetic site: many generated articles for the benchmarks ------------------
