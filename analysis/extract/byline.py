"""Author and outlet: labelled bylines near the article, then metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable

from analysis.extract.body import Body
from analysis.extract.html import Line
from analysis.extract.meta import ld_text
from analysis.extract.patterns import META_AUTHOR_KEYS, META_OUTLET_KEYS
from analysis.extract.regions import byline_region

#: Longest line in which ``记者`` is read as a label rather than a word of prose.
MAX_BYLINE_LINE = 80

WRITER_LABEL_RE = re.compile(
    r"(?:作\s*者|撰\s*文|撰\s*稿|执\s*笔)\s*[:：/]\s*|作者\s+|(?<![\u4e00-\u9fff])文\s*[/／]\s*"
)
#: ``ggjjzhzz 发表于 2005-9-15`` on forums: the poster's name before the label.
POSTER_RE = re.compile(r"(?P<name>[^\s:：]{2,20})\s*发表于")
REPORTER_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s（(【\[·/本报台网社站]))(?:首席|特约|实习)?(?:记者|通讯员)\s*[:：]?\s*"
)
EDITOR_LABEL_RE = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*")
#: Words after a name that end it (``张三报道``, ``张三 摄``).
NAME_TRAILER_RE = re.compile(r"(?<=[\u4e00-\u9fff])(?:报道|摄影|摄|发自|整理|整合|综合|编译|供图)")
NAME_SPLIT_RE = re.compile(r"[\s、，,/／|｜;；()（）【】\[\]]+")
CJK_NAME_RE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,4}")
LATIN_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{2,19}")
#: Words that follow a label but are not names.
NOT_NAMES = frozenset(
    "时间 来源 日期 编辑 责任编辑 发布 发表 作者 记者 通讯员 本报 本网 本台 佚名 未知 不详 "
    "匿名 admin 管理员 网友 小编 原创 转载 综合 字号 点击 阅读 浏览 评论 分享 打印 关闭 "
    "摄影 图片 出处 来自 更新 实习生 网络 整合 整理 编译".split()
)
#: First characters of the words that follow ``记者`` in prose (记者了解到, 记者从…获悉).
PROSE_STARTS = frozenset("从在向对了获看发注采走来联致询调近日昨今随跟问也又还将已曾们们的是称说")
#: Meta author values that are URLs, e-mail placeholders or numeric ids.
META_AUTHOR_JUNK_RE = re.compile(r"http|@|^\d+$")
OUTLET_RE = re.compile(r"(?:来源|稿源|出处)\s*[:：]\s*(?P<name>[^\s|｜<>\]】,，。]{2,30})")
OUTLET_TRAILER_RE = re.compile(
    r"(?:作者|编辑|责任编辑|记者|时间|发布|日期|点击|阅读|浏览|字号|评论|分享|打印|\d{2,4}[-/年.]).*$"
)


def _names(rest: str, *, latin: bool, prose_check: bool) -> str | None:
    """The names at the start of ``rest`` (text right after a label), space separated."""
    names: list[str] = []
    for token in NAME_SPLIT_RE.split(NAME_TRAILER_RE.sub(" ", rest[:60]).strip()):
        if token in NOT_NAMES:
            break
        if CJK_NAME_RE.fullmatch(token) and len(token) <= 4:
            if prose_check and not names and token[0] in PROSE_STARTS:
                return None
            names.append(token)
        elif latin and not names and LATIN_NAME_RE.fullmatch(token):
            return token
        else:
            break
    return " ".join(names) or None


def _search(lines: Iterable[Line], label: re.Pattern[str], **kwargs: bool) -> str | None:
    for line in lines:
        if label is REPORTER_LABEL_RE and len(line.text) > MAX_BYLINE_LINE:
            continue
        for match in label.finditer(line.text):
            if name := _names(line.text[match.end() :], **kwargs):
                return name
    return None


def _meta_author(meta: dict[str, str], linked: dict[str, object]) -> str | None:
    for value in [meta.get(key, "") for key in META_AUTHOR_KEYS] + [ld_text(linked, "author")]:
        value = " ".join(value.split())
        if (
            value
            and len(value) <= 30
            and not META_AUTHOR_JUNK_RE.search(value)
            and value not in NOT_NAMES
        ):
            return value
    return None


def _poster(lines: list[Line]) -> str | None:
    for line in lines:
        if "发表于" not in line.text:  # POSTER_RE needs it and backtracks a lot without
            continue
        if (match := POSTER_RE.search(line.text)) and match.group("name") not in NOT_NAMES:
            return match.group("name")
    return None


def find_author(
    lines: list[Line], body: Body, meta: dict[str, str], linked: dict[str, object], title: str
) -> str | None:
    """``作者：``, ``记者 张三``, ``文/张三``, meta author, a forum poster, then ``编辑：``."""
    region = byline_region(lines, body, title)
    return (
        _search(region, WRITER_LABEL_RE, latin=True, prose_check=True)
        or _search(region, REPORTER_LABEL_RE, latin=False, prose_check=True)
        or _meta_author(meta, linked)
        or _poster(region)
        or _search(region, EDITOR_LABEL_RE, latin=True, prose_check=False)
    )


def find_outlet(lines: list[Line], body: Body, meta: dict[str, str], title: str) -> str | None:
    """``来源：新华网`` near the article, else ``og:site_name``/``source`` metadata."""
    for line in byline_region(lines, body, title):
        if match := OUTLET_RE.search(line.text):
            name = OUTLET_TRAILER_RE.sub("", match.group("name")).strip("：:，,。 ")
            if len(name) >= 2:
                return name
    for key in META_OUTLET_KEYS:
        if value := meta.get(key):
            return value
    return None
