"""A loopback site of two articles, one showing no publish time, run as a subprocess.

``python -m tests.dateless_site`` binds 127.0.0.1:0, prints its base URL and serves:

- ``/news/undated.html``: an article with no date anywhere a reader could see one, but
  with the traps that used to make one up: ``今天凌晨`` in its first sentence and a
  comment thread whose entries say ``3小时前`` and ``昨天 10:21``;
- ``/news/dated.html``: the same kind of page with ``发布时间：2021-05-06 09:00``.

The ``dateless_site`` fixture starts it once per test module.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.quiet_handler import QuietHandler
from tests.subprocess_server import serve_and_announce, server_url

UNDATED_TITLE = "南阳市民反映12345热线工单被虚假办结 小区积水三月无人管"
DATED_TITLE = "平顶山12345热线接线员态度恶劣 市民投诉反被挂断电话"
DATED_AT = "2021-05-06 09:00"

PAGE = """<html><head><meta charset="utf-8"><title>{title}_测试新闻网</title></head>
<body>
<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/city/">城市</a></div>
<h1>{title}</h1>
{info}
<div class="article">
<p>今天凌晨，南阳市民王女士再次拨打12345热线，反映小区地下车库积水的问题。她说，这个问题从三个月前就开始反映，工单却多次被标记为“已办结”，积水一直没有人来处理。</p>
<p>王女士告诉记者，每次接到回访电话，对方都问她是否满意，她说不满意，过几天工单又显示办结了。“问题根本没有解决，怎么就办结了？”</p>
<p>记者随后联系了当地热线办公室，工作人员表示将重新派单，并要求责任单位在五个工作日内到现场处理，处理结果将向市民反馈。</p>
</div>
<div id="comment" class="post_comment">
<h3>网友评论</h3>
<div class="comment-item"><span class="user">网友甲</span><span class="time">3小时前</span>
<p>我们小区也是这样，工单办结了问题还在，打了好几次电话都没有用，希望有关部门认真处理一下。</p></div>
<div class="comment-item"><span class="user">网友乙</span><span class="time">昨天 10:21</span>
<p>虚假办结的问题应该严肃追责，不能只看满意率的数字，要看问题到底有没有解决，老百姓心里有数。</p></div>
</div>
<div class="footer">版权所有 测试新闻网</div>
</body></html>"""


def pages() -> dict[str, bytes]:
    return {
        "/news/undated.html": PAGE.format(title=UNDATED_TITLE, info="").encode(),
        "/news/dated.html": PAGE.format(
            title=DATED_TITLE, info=f'<div class="info">发布时间：{DATED_AT} 来源：测试日报</div>'
        ).encode(),
    }


class Handler(QuietHandler):
    site = pages()

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        body = self.site.get(self.path.split("?", 1)[0])
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"not found")


@pytest.fixture(scope="module")
def dateless_site() -> Iterator[str]:
    """Base URL of the two-article site, served by a subprocess for the module."""
    yield from server_url(__name__, "the dateless site")


if __name__ == "__main__":
    serve_and_announce(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
