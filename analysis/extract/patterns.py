"""Patterns for extraction, compiled once: boilerplate, labels, title suffixes."""

from __future__ import annotations

import re

# Elements that never hold article text.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "button",
    "select",
    "textarea",
    "svg",
    "canvas",
    "video",
    "audio",
    "object",
    "embed",
    "template",
    "link",
    "meta",
    "input",
    "map",
    "head",
)
BLOCK_TAGS = frozenset(
    "p div section article li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr td th br "
    "center dd dt dl figure figcaption header footer main aside nav body html form hr address "
    "fieldset tbody thead tfoot caption".split()
)
# class/id words of navigation, share bars, comments, related lists, footers.
BOILERPLATE_ATTR = re.compile(
    r"(^|[-_\s])(nav|menu|breadcrumb|crumb|share|sharing|social|comment|reply|footer|foot|"
    r"sidebar|side|aside|related|recommend|relate|hot|rank|tags?|copyright|toolbar|tool|"
    r"banner|advert|ads?|login|search|pagination|pager|next|prev|bdshare|jiathis|qrcode|"
    r"subscribe|topbar|header|top)([-_\s\d]|$)",
    re.IGNORECASE,
)
# class/id words of navigation and search bars, whose dates are today's or the edition's.
NAV_ATTR = re.compile(
    r"(^|[-_\s])(nav|navi|menu|breadcrumb|crumb|search|toolbar|topbar|channel)([-_\s\d]|$)",
    re.IGNORECASE,
)
# class/id words of comment threads: boilerplate however much prose they hold.
COMMENT_ATTR = re.compile(
    r"(^|[-_\s])(comments?|cmt|cmts|reply|replies|discuss|discussion|pinglun|tie|gentie|"
    r"changyan|sohucs|disqus|duoshuo)([-_\s\d]|$)",
    re.IGNORECASE,
)
CONTENT_ATTR = re.compile(
    r"(article|content|main|post|text|body|detail|news|entry|story|zw|cont|neirong|正文)",
    re.IGNORECASE,
)
# A line starting a list of links to other stories: everything after it goes.
TRAILER_HEADING = re.compile(
    r"^\s*[【\[]?\s*(推荐阅读|相关阅读|相关新闻|延伸阅读|热门推荐|猜你喜欢|相关推荐|更多阅读|"
    r"热点推荐|往期回顾|精彩推荐|相关文章|热门文章|大家都在看|为您推荐)\s*[】\]]?\s*[:：]?\s*$"
)
# A line opening the comments under an article (``网友评论``, ``全部评论(12)``, ``网友评论
# (共 12 条)``, ``网友评论仅供其表达个人看法...``): the text ends there.
COMMENT_HEADING = re.compile(
    r"^\s*[【\[]?\s*(网友评论|热门评论|最新评论|全部评论|发表评论|我要评论|评论区|精彩评论|用户评论|"
    r"读者评论|网友跟帖|热门跟帖|跟帖|我来说两句)\s*[】\]]?[^，。！？,!?：:]{0,12}$"
    r"|^\s*[【\[]?\s*评论\s*[】\]]?\s*[（(]?\s*(共\s*)?\d*\s*(条|人参与)?\s*[）)]?\s*$"
    r"|^\s*(网友|读者|用户)?(评论|跟帖)仅(供|代表)"
)
BOILERPLATE_LINE = re.compile(
    r"^\s*[【\[（(]?\s*(文章插图|图片来源|图片说明|图源|来源[:：]|责任编辑|编辑[:：]|责编|校对|审核|"
    r"原标题[:：]|本文来源|声明[:：]|免责声明|版权声明|版权所有|copyright|©|分享到|"
    r"扫一扫|扫描二维码|点击进入|返回首页|打印本页|关闭窗口|【纠错】|纠错|字号|"
    r"上一篇|下一篇|收藏|点赞|举报$|更多.{0,30}请访问|更多精彩|欢迎关注|关注我们)",
    re.IGNORECASE,
)
INLINE_JUNK = re.compile(
    r"文章插图|\[图片\]|（图片来源[^）]*）|\(图片来源[^)]*\)|"
    r"[^。！？\n]{0,60}更多[^。！？\n]{0,30}请(?:访问|关注|点击|登录)[^。！？\n]{0,20}[。！]?"
)
#: Every INLINE_JUNK match holds one of these; a line without any is left as it is.
INLINE_JUNK_WORDS = ("插图", "图片", "更多")
# The outlet promoting itself at the edges of the text: QR codes, accounts, apps, reprints.
PROMO_LINE = re.compile(
    r"(扫描|扫码|长按|识别).{0,12}二维码|二维码.{0,12}关注|关注.{0,24}(公众号|微信号|官方微信|官方微博|客户端)|"
    r"下载.{0,12}(客户端|APP)|未经.{0,6}授权.{0,6}(不得|禁止)转载|返回.{0,8}首页|正文已结束|"
    r"^\S{0,12}报料\s*[:：]",
    re.IGNORECASE,
)
# A header or footer line about the article: date, source, author, view count.
META_LINE = re.compile(
    r"\d{4}[-/.年]\d{1,2}|\d{1,2}:\d{2}|(?:来源|作者|编辑|记者)\s*[:：]|浏览|阅读\s*\d|"
    r"发布时间|发表于|\d+\s*(?:小时|分钟|天)前"
)
SENTENCE_END = re.compile(r"[，。！？；]")
SENTENCE_STOP = re.compile(r"[。！？!?][”’」』）)]?")
SHORT_LINE_NO_PUNCT = re.compile(r"^[^，。！？；：,.!?;]{0,12}$")

TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|——|—|-{1,2}(?=[^\d]))\s*")

DATE_LABEL = re.compile(r"(?:发布时间|发表时间|发布日期|时间|日期|发表于|更新时间)\s*[:：]?\s*")
DATE_ATTR = re.compile(r"(time|date|pub|info|source|meta|author)", re.IGNORECASE)
META_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "og:release_date",
    "datepublished",
    "published_time",
    "release_date",
    "og:published_time",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
    "weibo:article:create_at",
    "article:modified_time",
    "og:updated_time",
    "lastmod",
)
META_AUTHOR_KEYS = ("author", "article:author", "og:article:author", "dc.creator", "byl")
META_OUTLET_KEYS = ("og:site_name", "source", "mediaid", "application-name", "site_name")
