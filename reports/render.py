"""Render a ``Digest`` as a Chinese briefing: subject, plain text and HTML.

The HTML uses only inline styles and tables (what mail clients keep), loads
nothing, and links only to the stored documents' original URLs. Every
sentence that states a fact cites the documents it comes from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from analysis.risk import LEVEL_NAMES
from reports.charts import Bar, ChartRow, chart_html, fractions, text_bar
from reports.desk_render import desk_html, desk_text_lines
from reports.digest_model import NEGATIVE, Digest, DocLink, IncidentItem, Metric, TrendDay
from reports.formatting import (
    LEVEL_COLORS,
    badge_html,
    categories_text,
    level_label,
    link_html,
    number,
    reason_zh,
    regions_text,
    signed,
    template,
    when,
)
from reports.trending import TrendingItem

ACCENT = "#1f3a5f"
VOLUME_COLOR = "#2e86c1"
NEGATIVE_COLOR = "#c0392b"
FOOTER = "本报告由 hotwatch 自动生成，所列数字与事件均来自已收录的报道，点击链接可查看原文。"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def page(
    *, title: str, heading: str, subheading: str, content: str, footer: str, accent: str = ACCENT
) -> str:
    """The shared HTML layout (``templates/layout.html``); arguments are already HTML."""
    return template("layout.html").substitute(
        title=escape(title), heading=heading, subheading=subheading, content=content,
        footer=footer, accent=accent,
    )


def section(title: str, body: str, *, accent: str = ACCENT) -> str:
    return template("section.html").substitute(title=escape(title), body=body, accent=accent)


def render_digest(digest: Digest, *, unsubscribe: str | None = None) -> Rendered:
    """Subject, text part and HTML part of a digest."""
    return Rendered(digest_subject(digest), digest_text(digest), digest_html(digest, unsubscribe))


def digest_title(digest: Digest) -> str:
    plan = "" if digest.plan == "default" else f"·{digest.plan}"
    return f"12345热线舆情{digest.period.name}{plan}"


def digest_subject(digest: Digest) -> str:
    head = f"【{digest_title(digest)}】{digest.period.label}"
    if digest.empty:
        return f"{head} {_nothing_new(digest)}"
    new = [i for i in digest.incidents if i.status == "new"]
    rising = len(digest.incidents) - len(new)
    levels = Counter(i.record.level for i in digest.incidents)
    breakdown = " ".join(
        f"{LEVEL_NAMES[lv]}{levels[lv]}" for lv in ("red", "orange", "yellow", "blue") if levels[lv]
    )
    relevant = digest.metric("relevant").current
    parts = [f"相关报道{relevant:.0f}篇", f"新增事件{len(new)}起"]
    if rising:
        parts.append(f"升级{rising}起")
    return f"{head} " + "，".join(parts) + (f"（{breakdown}）" if breakdown else "")


# -- HTML ----------------------------------------------------------------------------


def digest_html(digest: Digest, unsubscribe: str | None = None) -> str:
    generated = when(digest.generated_at, with_year=True)
    subheading = escape(f"统计时段：{digest.period.label}（北京时间）  生成于 {generated}")
    if digest.empty:
        content = _empty_html(digest)
    else:
        content = "".join(
            [
                section("核心数据", _metrics_html(digest)),
                section("新增及升级事件（按风险等级排序）", _incidents_html(digest.incidents)),
                section("升温话题", _trending_html(digest.trending)),
                section("每日走势", _trend_html(digest.trend)),
            ]
        )
    if digest.desk is not None:
        content += section("处置情况", desk_html(digest.desk))
    footer = escape(FOOTER)
    if unsubscribe:
        footer += f"<br>退订：{escape(unsubscribe)}"
    return page(
        title=f"{digest_title(digest)} {digest.period.label}",
        heading=escape(f"{digest_title(digest)} · {digest.period.label}"),
        subheading=subheading,
        content=content,
        footer=footer,
    )


def _empty_html(digest: Digest) -> str:
    collected = digest.metric("collected")
    lines = [
        f'<p style="font-size:18px;font-weight:bold;margin:16px 0 8px">{_nothing_new(digest)}</p>',
        f"<p>{escape(digest.period.label)}没有收录到新的相关报道，也没有新增或升级的事件。</p>",
    ]
    if collected.current:
        lines.append(
            f"<p>本期共收集报道 {collected.current:.0f} 篇，均未涉及热线服务问题，例如："
            f"{links_html(collected.examples)}。</p>"
        )
    return "".join(lines)


def _metrics_html(digest: Digest) -> str:
    previous = digest.period.previous_name
    header = "".join(
        f'<th align="left" style="padding:6px 8px;font-size:12px;color:#666;font-weight:normal;'
        f'border-bottom:1px solid #dde">{h}</th>'
        for h in ("指标", "本期", f"较{previous}", "代表报道")
    )
    rows = "".join(_metric_row(m) for m in digest.metrics)
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;width:100%"><tr>{header}</tr>{rows}</table>'
    )


def _metric_row(metric: Metric) -> str:
    change = signed(metric.change, percent=metric.percent)
    color = "#c0392b" if metric.change > 0 else "#1e8449" if metric.change < 0 else "#666"
    examples = links_html(metric.examples) if metric.examples else "—"
    cell = 'style="padding:6px 8px;border-bottom:1px solid #f0f0f0;font-size:13px"'
    return (
        f'<tr><td {cell[:-1]};white-space:nowrap">{escape(metric.label)}</td>'
        f'<td {cell}><b style="font-size:16px">{number(metric.current, percent=metric.percent)}'
        f"</b></td>"
        f'<td {cell}><span style="color:{color}">{escape(change)}</span>'
        f'<span style="color:#999">（前值 {number(metric.previous, percent=metric.percent)}）'
        "</span></td>"
        f"<td {cell}>{examples}</td></tr>"
    )


def _incidents_html(items: Sequence[IncidentItem]) -> str:
    if not items:
        return "<p>本期没有新增或升级的事件。</p>"
    return "".join(incident_card_html(item) for item in items)


def _status_html(item: IncidentItem) -> str:
    if item.status == "new":
        return "新增"
    if item.status == "overdue":
        return "处置逾期"
    return f"升级：{level_label(item.previous_level or 'blue')} → {level_label(item.record.level)}"


def incident_card_html(item: IncidentItem) -> str:
    record = item.record
    status = _status_html(item)
    reasons = "".join(f"<li>{escape(reason_zh(r))}</li>" for r in record.reasons) or "<li>无</li>"
    first = item.first
    details = [
        ("首发", f"{escape(first.outlet or '来源不详')} {escape(when(first.when))} "
                 f"{link_html(first.title, first.url)}"),
        ("规模", f"报道 {record.documents} 篇，来源 {record.sources} 个"),
        ("地区", escape(regions_text(record.regions))),
        ("热线", escape("、".join(record.hotlines) or "—")),
        ("类型", escape(categories_text(record.categories))),
        ("相关报道", links_html(item.links, numbered=True)),
    ]
    rows = "".join(
        f'<tr><td valign="top" style="padding:2px 8px 2px 0;color:#666;white-space:nowrap;'
        f'font-size:13px">{label}</td><td style="padding:2px 0;font-size:13px">{value}</td></tr>'
        for label, value in details
    )
    color = LEVEL_COLORS[record.level]
    return (
        f'<div style="border:1px solid #e1e4e8;border-left:4px solid {color};padding:10px 12px;'
        f'margin:0 0 12px">'
        '<div style="font-size:15px;font-weight:bold;margin-bottom:4px">'
        f"{badge_html(record.level)} "
        f"{link_html(record.title, first.url, style='color:#222;text-decoration:none')}"
        f'<span style="font-size:12px;color:#888;font-weight:normal"> · {escape(status)}</span>'
        "</div>"
        f'<div style="font-size:13px;color:#444">风险依据（评分 {record.score}）：</div>'
        f'<ul style="margin:2px 0 6px 18px;padding:0;font-size:13px">{reasons}</ul>'
        f'<table role="presentation" cellpadding="0" cellspacing="0" border="0">{rows}</table>'
        "</div>"
    )


def _trending_html(items: Sequence[TrendingItem]) -> str:
    if not items:
        return "<p>本期没有明显升温的话题。</p>"
    cell = 'style="padding:4px 8px;border-bottom:1px solid #f0f0f0;font-size:13px"'
    header = "".join(
        f'<th align="left" style="padding:4px 8px;font-size:12px;color:#666;font-weight:normal;'
        f'border-bottom:1px solid #dde">{h}</th>'
        for h in ("话题", "本期", "此前每期", "代表报道")
    )
    rows = "".join(
        f"<tr><td {cell}><b>{escape(item.label)}</b></td><td {cell}>{item.docs} 篇</td>"
        f"<td {cell}>{item.baseline:g}</td>"
        f"<td {cell}>{'<br>'.join(link_html(s.title, s.url) for s in item.samples[:2])}</td></tr>"
        for item in items
    )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;width:100%"><tr>{header}</tr>{rows}</table>'
    )


def _trend_html(trend: Sequence[TrendDay]) -> str:
    volumes = fractions([day.relevant for day in trend])
    rows = [
        ChartRow(
            label=f"{day.day.month:02d}-{day.day.day:02d}",
            bars=[
                Bar(volume, VOLUME_COLOR, f"{day.relevant} 篇"),
                Bar(day.negative_share, NEGATIVE_COLOR, f"{day.negative_share * 100:.0f}%"),
            ],
            extra=links_html([day.example]) if day.example else "—",
        )
        for day, volume in zip(trend, volumes, strict=True)
    ]
    return chart_html(
        f"相关报道量与负面占比（负面度 ≥ {NEGATIVE}）",
        ["日期", "相关报道", "负面占比", "当日最负面报道"],
        rows,
    )


def links_html(links: Sequence[DocLink], *, numbered: bool = False) -> str:
    parts = []
    for n, link in enumerate(links, 1):
        prefix = f"[{n}] " if numbered else ""
        source = f"（{escape(link.outlet)} {escape(when(link.when))}）" if link.outlet else ""
        parts.append(f"{prefix}{link_html(link.title, link.url)}{source}")
    return "<br>".join(parts)


# -- plain text ------------------------------------------------------------------------


def digest_text(digest: Digest) -> str:
    lines = [f"{digest_title(digest)} · {digest.period.label}", ""]
    if digest.empty:
        lines += [_nothing_new(digest), f"{digest.period.label}没有收录到新的相关报道，"
                  "也没有新增或升级的事件。"]
        collected = digest.metric("collected")
        if collected.current:
            lines.append(f"本期共收集报道 {collected.current:.0f} 篇，均未涉及热线服务问题，例如：")
            lines += [f"  {link_text(link)}" for link in collected.examples]
        if digest.desk is not None:
            lines += ["", *desk_text_lines(digest.desk)]
        return "\n".join([*lines, "", FOOTER]) + "\n"
    lines.append("【核心数据】")
    previous = digest.period.previous_name
    for metric in digest.metrics:
        lines.append(
            f"- {metric.label}：{number(metric.current, percent=metric.percent)}"
            f"（较{previous} {signed(metric.change, percent=metric.percent)}）"
        )
        lines += [f"    {link_text(link)}" for link in metric.examples]
    lines += ["", "【新增及升级事件】"]
    if not digest.incidents:
        lines.append("本期没有新增或升级的事件。")
    for n, item in enumerate(digest.incidents, 1):
        lines += incident_text_lines(n, item)
    lines += ["", "【升温话题】（本期报道 | 此前每期）"]
    if not digest.trending:
        lines.append("本期没有明显升温的话题。")
    for item in digest.trending:
        lines.append(f"- {item.label}：{item.docs} 篇 | {item.baseline:g}")
        lines += [f"    {sample.title} <{sample.url}>" for sample in item.samples[:2]]
    lines += ["", "【每日走势】（相关报道量 | 负面占比）"]
    volumes = fractions([day.relevant for day in digest.trend])
    for day, volume in zip(digest.trend, volumes, strict=True):
        lines.append(
            f"{day.day.isoformat()} {text_bar(volume, width=12)} {day.relevant:>4} 篇 | "
            f"负面 {day.negative_share * 100:3.0f}%"
        )
        if day.example:
            lines.append(f"    {link_text(day.example)}")
    if digest.desk is not None:
        lines += ["", *desk_text_lines(digest.desk)]
    return "\n".join([*lines, "", FOOTER]) + "\n"


def incident_text_lines(n: int, item: IncidentItem) -> list[str]:
    record = item.record
    status = _status_html(item).replace("：", " ").replace(" → ", "→")
    reasons = "；".join(reason_zh(r) for r in record.reasons) or "无"
    lines = [
        "",
        f"{n}. [{level_label(record.level)}] {record.title}（{status}）",
        f"   风险依据（评分 {record.score}）：{reasons}",
        f"   首发：{link_text(item.first)}",
        f"   规模：报道 {record.documents} 篇，来源 {record.sources} 个",
        f"   地区：{regions_text(record.regions)}  热线：{'、'.join(record.hotlines) or '—'}  "
        f"类型：{categories_text(record.categories)}",
        "   相关报道：",
    ]
    lines += [f"     [{k}] {link_text(link)}" for k, link in enumerate(item.links, 1)]
    return lines


def link_text(link: DocLink) -> str:
    source = f"{link.outlet} {when(link.when)} " if link.outlet else ""
    return f"{source}{link.title} <{link.url}>"


def _nothing_new(digest: Digest) -> str:
    return "今日无新增" if digest.period.kind == "day" else "本周无新增"
