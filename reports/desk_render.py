"""The digest's 处置情况 (how incidents are being handled) as HTML, text and Word.

Counts by status; the open incidents past their deadline with assignee (逾期未办);
the incidents closed or marked 误报 during the period and by whom.
"""

from __future__ import annotations

from html import escape
from typing import Any

from index.handling_records import STATUS_NAMES, STATUSES
from reports.desk import DeskItem, DeskSummary
from reports.formatting import badge_html, level_label, when

CELL = 'style="padding:6px 8px;border-bottom:1px solid #f0f0f0;font-size:13px"'


def counts_text(desk: DeskSummary) -> str:
    """``待研判 3 · 处置中 1 · …`` (statuses with none are left out)."""
    shown = [f"{STATUS_NAMES[s]} {desk.counts.get(s, 0)}" for s in STATUSES
             if desk.counts.get(s, 0)]
    return " · ".join(shown) or "暂无需要处置的事件"


def _assignee(item: DeskItem) -> str:
    return item.handling.assignee or "未指派"


def _who(item: DeskItem) -> str:
    return item.handling.updated_by or "—"


def desk_html(desk: DeskSummary) -> str:
    parts = [f"<p><b>{escape(counts_text(desk))}</b>（近期事件及所有处置中的事件；"
             "已结案、误报为本期内办结）</p>"]
    if desk.overdue:
        rows = "".join(
            f"<tr><td {CELL}>{badge_html(item.record.level)} {escape(item.record.title)}</td>"
            f"<td {CELL}>{escape(item.status_name)}</td>"
            f"<td {CELL}>{escape(_assignee(item))}</td>"
            f'<td {CELL}><span style="color:#c0392b">{escape(when(item.due))}</span></td></tr>'
            for item in desk.overdue
        )
        more = (f"<p>另有 {desk.overdue_total - len(desk.overdue)} 件逾期，详见 hotwatch 待办。</p>"
                if desk.overdue_total > len(desk.overdue) else "")
        parts.append(
            f'<p style="color:#c0392b"><b>逾期未办 {desk.overdue_total} 件</b></p>'
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            'style="border-collapse:collapse;width:100%">'
            f"<tr><th align=\"left\" {CELL}>事件</th><th align=\"left\" {CELL}>状态</th>"
            f"<th align=\"left\" {CELL}>负责人</th><th align=\"left\" {CELL}>期限</th></tr>"
            f"{rows}</table>{more}"
        )
    else:
        parts.append("<p>没有逾期未办的事件。</p>")
    if desk.closed:
        items = "".join(
            f"<li>{escape(item.record.title)} — {escape(item.status_name)}，"
            f"{escape(_who(item))} 于 {escape(when(item.handling.updated_at))}</li>"
            for item in desk.closed
        )
        parts.append(f"<p>本期办结 {len(desk.closed)} 件：</p><ul>{items}</ul>")
    return "".join(parts)


def desk_text_lines(desk: DeskSummary) -> list[str]:
    lines = ["【处置情况】", counts_text(desk)]
    if desk.overdue:
        lines.append(f"逾期未办 {desk.overdue_total} 件：")
        lines += [
            f"- [{level_label(item.record.level)}] {item.record.title}｜{item.status_name}｜"
            f"负责人 {_assignee(item)}｜期限 {when(item.due)}"
            for item in desk.overdue
        ]
    else:
        lines.append("没有逾期未办的事件。")
    if desk.closed:
        lines.append(f"本期办结 {len(desk.closed)} 件：")
        lines += [f"- {item.record.title}｜{item.status_name}｜{_who(item)} "
                  f"{when(item.handling.updated_at)}" for item in desk.closed]
    return lines


def desk_docx(document: Any, desk: DeskSummary) -> None:
    """处置情况 in the Word report: counts, the overdue table, who closed what."""
    document.add_paragraph(f"事件处置：{counts_text(desk)}。")
    if desk.overdue:
        document.add_paragraph(f"逾期未办 {desk.overdue_total} 件：")
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, ("事件", "状态", "负责人", "期限"),
                               strict=True):
            cell.text = title
        for item in desk.overdue:
            cells = table.add_row().cells
            cells[0].text = f"[{level_label(item.record.level)}] {item.record.title}"
            cells[1].text = item.status_name
            cells[2].text = _assignee(item)
            cells[3].text = when(item.due)
    else:
        document.add_paragraph("没有逾期未办的事件。")
    for item in desk.closed:
        document.add_paragraph(
            f"{item.record.title}：{item.status_name}（{_who(item)}，"
            f"{when(item.handling.updated_at)}）", style="List Bullet",
        )
