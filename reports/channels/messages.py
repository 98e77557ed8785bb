"""An alert as each platform's message: DingTalk markdown, WeCom markdown, a Feishu card, JSON.

Every message carries the level with its reasons, the incident title, the first
source and time, the count and spread, and links to the stored documents (and to
the web page when ``[web] base_url`` is set). Crawled text is made inert for
markdown: brackets, emphasis marks and angle brackets become full-width forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reports.digest_model import DocLink
from reports.formatting import (
    categories_text,
    level_label,
    reason_zh,
    regions_text,
    safe_url,
    when,
)

if TYPE_CHECKING:
    from reports.alert import Alert

WECOM_MAX_BYTES = 4096
CUT_MARK = "\n……（内容过长，已截断，详见 hotwatch）"
SPREAD_DAYS = 7
FEISHU_TEMPLATES = {"red": "red", "orange": "orange", "yellow": "yellow", "blue": "blue"}
_INERT = str.maketrans({"[": "［", "]": "］", "*": "＊", "_": "＿", "<": "＜", ">": "＞",
                        "`": "｀", "#": "＃", "\n": " ", "\r": " "})


def headline(alert: Alert) -> tuple[str, str]:
    """The title line ``【橙色预警】标题`` and the sentence saying why it is sent now."""
    label = level_label(alert.level)
    if alert.overdue is not None:
        state = alert.overdue.handling
        return f"【处置逾期】{alert.record.title}", (
            f"{label}事件已过处置期限（{when(alert.overdue.due)}），"
            f"状态：{alert.overdue.status_name}，负责人：{state.assignee or '未指派'}"
        )
    title = f"【{label}预警】{alert.record.title}"
    if alert.escalated:
        return title, f"事件由{level_label(alert.previous_level or 'blue')}升级为{label}预警"
    return title, f"事件达到{label}预警"


def markdown_lines(alert: Alert, base_url: str | None) -> list[str]:
    """The body as markdown lines (without the title), shared by the chat platforms."""
    record = alert.record
    item = alert.item
    reasons = "；".join(inert(reason_zh(r)) for r in record.reasons) or "无"
    lines = [
        f"**{headline(alert)[1]}**",
        f"**风险依据**（评分 {record.score}）：{reasons}",
        f"**首发**：{_doc_line(item.first)}",
        f"**规模**：报道 {record.documents} 篇，来源 {record.sources} 个；"
        f"地区：{inert(regions_text(record.regions))}；类型：{categories_text(record.categories)}",
    ]
    spread = _spread(record.daily)
    if spread:
        lines.append(f"**传播**：{spread}")
    lines.append("**相关报道**：")
    lines += [f"{n}. {_doc_line(link)}" for n, link in enumerate(item.links, 1)]
    if base_url:
        lines.append(f"[在 hotwatch 查看事件]({base_url}/incidents/{quote(record.id)})")
    return lines


def dingtalk_payload(alert: Alert, base_url: str | None) -> dict[str, Any]:
    title, _ = headline(alert)
    # DingTalk's markdown joins single newlines into one paragraph.
    text = "\n\n".join([f"### {inert(title)}", *markdown_lines(alert, base_url)])
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def wecom_payload(alert: Alert, base_url: str | None) -> dict[str, Any]:
    title, _ = headline(alert)
    color = "warning" if alert.level in ("red", "orange") else "info"
    lines = [f'### <font color="{color}">{inert(title)}</font>', *markdown_lines(alert, base_url)]
    return {"msgtype": "markdown", "markdown": {"content": cut_lines(lines, WECOM_MAX_BYTES)}}


def feishu_payload(alert: Alert, base_url: str | None) -> dict[str, Any]:
    title, _ = headline(alert)
    card = {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {"tag": "plain_text", "content": title},
            "template": FEISHU_TEMPLATES[alert.level],
        },
        "elements": [
            {"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(
                markdown_lines(alert, base_url))}},
        ],
    }
    return {"msg_type": "interactive", "card": card}


def webhook_payload(alert: Alert, base_url: str | None) -> dict[str, Any]:
    title, _ = headline(alert)
    body = alert.to_json()
    body["title"] = title
    body["markdown"] = "\n".join([f"### {inert(title)}", *markdown_lines(alert, base_url)])
    if base_url:
        body["url"] = f"{base_url}/incidents/{quote(alert.record.id)}"
    return body


PAYLOADS = {
    "dingtalk": dingtalk_payload,
    "wecom": wecom_payload,
    "feishu": feishu_payload,
    "webhook": webhook_payload,
}


def cut_lines(lines: list[str], limit: int) -> str:
    """Join lines, dropping whole lines from the end (then characters) to fit ``limit`` bytes."""
    text = "\n".join(lines)
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(CUT_MARK.encode("utf-8"))
    kept: list[str] = []
    used = 0
    for line in lines:
        size = len(line.encode("utf-8")) + (1 if kept else 0)
        if used + size > budget:
            if not kept:  # a single huge first line: cut it on a character boundary
                kept.append(line.encode("utf-8")[:budget].decode("utf-8", "ignore"))
            break
        kept.append(line)
        used += size
    return "\n".join(kept) + CUT_MARK


def inert(text: str) -> str:
    """Crawled text that cannot open a link, emphasis, heading or HTML tag in chat markdown."""
    return text.translate(_INERT)


def _doc_line(link: DocLink) -> str:
    source = f"{inert(link.outlet)} {when(link.when)} " if link.outlet else f"{when(link.when)} "
    target = safe_url(link.url)
    title = inert(link.title)
    if target is None:
        return source + title
    return f"{source}[{title}]({target.replace(' ', '%20').replace(')', '%29')})"


def _spread(daily: dict[str, int]) -> str:
    days = sorted(daily.items())[-SPREAD_DAYS:]
    return "、".join(f"{day[5:10]} {count} 篇" for day, count in days)


def notice_payload(
    kind: str, title: str, lines: list[str], data: dict[str, Any]
) -> dict[str, Any]:
    """A message that is not about an incident (crawl health) in the channel's format."""
    safe = [inert(line) for line in lines]
    if kind == "dingtalk":
        text = "\n\n".join([f"### {inert(title)}", *safe])
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if kind == "wecom":
        content = cut_lines([f'### <font color="warning">{inert(title)}</font>', *safe],
                            WECOM_MAX_BYTES)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if kind == "feishu":
        return {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": title}, "template": "grey"},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(safe)}}],
        }}
    return {**data, "title": title, "markdown": "\n".join([f"### {inert(title)}", *safe])}
