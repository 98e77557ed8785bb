"""A small news site model: articles rendered as realistic Chinese news pages, list pages,
RSS, a sitemap and robots.txt. Used by ``hotwatch demo``, the tests and the benchmarks."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from importlib import resources
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
HTML = "text/html; charset={}"


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
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="{charset}">
  <title>{escape(article.title)}_{escape(site_name)}</title>
  <meta name="keywords" content="新闻,社会,民生">
  <link rel="canonical" href="{article.path}">
</head>
<body>
  <div class="top-nav">
    <a href="/">首页</a> <a href="/news/index.html">新闻</a> <a href="/news/index.html">社会</a>
    <a href="/news/index.html">民生</a> <a href="/news/index.html">财经</a> <a href="/">视频</a>
  </div>
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
    items = "\n".join(
        f"    <item><title>{xml_escape(a.title)}</title><link>{a.path}</link>"
        f"<pubDate>{a.published:%a, %d %b %Y %H:%M:%S %z}</pubDate></item>"
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{xml_escape(site_name)}</title><link>/</link>
{items}
</channel></rss>
"""


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


STORY_PLACES = (
    ("河南省", "郑州"),
    ("河南省", "洛阳"),
    ("广东省", "广州"),
    ("广东省", "深圳"),
    ("江苏省", "南京"),
    ("浙江省", "杭州"),
    ("四川省", "成都"),
    ("湖北省", "武汉"),
    ("山东省", "济南"),
    ("陕西省", "西安"),
    ("湖南省", "长沙"),
    ("福建省", "福州"),
)
FAILURES = (
    ("接线员态度恶劣", "接线员语气很不耐烦，还没等说完就挂断了电话，甚至出言辱骂。"),
    ("热线打不通", "连续几天拨打热线都打不通，不是占线就是无人接听。"),
    ("部门互相推诿", "工单在几个部门之间转来转去，各部门互相推诿，踢皮球。"),
    ("问题未解决却显示已办结", "问题根本没有解决，系统却显示已办结，还有人要求给好评。"),
)
FILLER = (
    "当地居民表示，希望有关部门能够重视群众的诉求，尽快解决问题。",
    "记者在现场看到，周边道路车辆往来频繁，不少居民驻足议论。",
    "业内人士认为，提升基层治理水平需要久久为功，不能一蹴而就。",
    "据了解，该市近年来持续推进城市更新，老旧小区改造工作取得一定进展。",
    "多位受访者告诉记者，他们最关心的是身边的小事能否得到及时回应。",
    "有关负责人表示，下一步将进一步完善工作机制，提高服务质量和效率。",
    "天气转暖以来，市民出行明显增多，公园、广场等公共场所人流量上升。",
    "社区工作人员介绍，辖区内常住人口约两万人，老年人占比较高。",
)
NEUTRAL_TOPICS = (
    "春季植树活动",
    "地铁新线开通",
    "图书馆延长开放时间",
    "老旧小区加装电梯",
    "夜市经济升温",
    "农产品展销会开幕",
)


def synthetic_site(n_articles: int, *, seed: int = 0, per_page: int = 20) -> Site:
    """A deterministic site of ``n_articles`` generated Chinese articles (~300-3,000 chars)."""
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, 8, 0, tzinfo=SHANGHAI)
    articles = []
    for i in range(n_articles):
        province, city = rng.choice(STORY_PLACES)
        published = start + timedelta(hours=rng.randint(0, 24 * 180), minutes=rng.randint(0, 59))
        if rng.random() < 0.4:
            label, detail = rng.choice(FAILURES)
            title = f"{city}市民反映12345热线{label}（{i}）"
            lead = f"近日，{province}{city}市民向记者反映，拨打12345市长热线时{detail}"
        else:
            topic = rng.choice(NEUTRAL_TOPICS)
            title = f"{city}{topic}受到市民关注（{i}）"
            lead = f"近日，{province}{city}{topic}，吸引了不少市民参与。"
        paragraphs = [lead] + [
            rng.choice(FILLER) * rng.randint(1, 4) for _ in range(rng.randint(3, 20))
        ]
        articles.append(
            SampleArticle(
                slug=f"a{i:05d}",
                title=title,
                body=tuple(paragraphs),
                published=published,
                outlet=f"{city}日报",
                author=rng.choice(("张伟", "王芳", "李强", "刘洋", "陈静")),
            )
        )
    return build_site(articles, per_page=per_page, site_name="合成新闻网")
