"""The Word 舆情专报 (.docx) for a digest period or one incident, and PDF through LibreOffice.

``digest_docx(digest, overview)`` and ``incident_docx(report)`` return the .docx
bytes (python-docx, charts as PNG images from ``reports.figures``). Every figure
in the text is followed by links to the stored documents it counts, so nothing is
stated without a source. ``to_pdf`` converts a .docx with ``soffice --headless``.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reports.desk_render import desk_docx
from reports.digest_model import Digest, DocLink, IncidentItem, Metric
from reports.errors import ReportError
from reports.figures import bands_chart, ranked_chart, spread_chart, volume_chart
from reports.formatting import (
    LEVEL_COLORS,
    categories_text,
    level_label,
    number,
    reason_zh,
    regions_text,
    signed,
    when,
)
from reports.incident_report import IncidentReport
from reports.overview import Overview
from reports.render import FOOTER

PDF_TIMEOUT = 180
LINKS_PER_STATEMENT = 3


class PdfUnavailable(ReportError):
    """LibreOffice is not installed, or it could not convert the document."""


def digest_docx(digest: Digest, overview: Overview) -> bytes:
    """The 舆情专报 of a digest period as .docx bytes."""
    from docx.shared import Cm

    document = _new_document()
    period = digest.period
    kind = "日" if period.kind == "day" else "周"
    document.add_heading(f"12345热线舆情专报（{kind}报）", level=0)
    _meta(document, [
        f"统计时段：{period.label}（北京时间）",
        f"监测方案：{'全部相关报道' if digest.plan == 'default' else digest.plan}",
        f"生成时间：{when(digest.generated_at, with_year=True)}",
    ])

    document.add_heading("一、总体态势", level=1)
    document.add_paragraph(_situation(digest, overview))
    for metric in digest.metrics:
        _metric_paragraph(document, metric, period.previous_name)
    if not overview.complete:
        document.add_paragraph(
            f"注：分布图按最新的 {overview.counted} 篇相关报道统计（共 {overview.relevant} 篇）。"
        )

    document.add_heading("二、传播趋势", level=1)
    days = [(d.day.isoformat(), d.collected, d.relevant, d.negative) for d in overview.days]
    document.add_picture(io.BytesIO(volume_chart(days, "每日报道量")), width=Cm(16))
    document.add_heading("三、情感分布", level=1)
    document.add_paragraph(
        "按负面度区间划分为负面、中性、正面（与网页、日报、预警中的标签一致）："
        + "，".join(f"{band} {n} 篇" for band, n in overview.bands) + "。"
    )
    document.add_picture(io.BytesIO(bands_chart(overview.bands, "相关报道情感分布")),
                         width=Cm(16))
    document.add_heading("四、来源类型", level=1)
    _ranked(document, overview.tiers, "相关报道来源类型", "暂无相关报道。")
    document.add_heading("五、地区分布", level=1)
    _ranked(document, overview.provinces, "相关报道地区分布（省份）", "暂无相关报道。")

    document.add_heading("六、重点事件", level=1)
    if digest.incidents:
        _incident_table(document, digest.incidents)
        for n, item in enumerate(digest.incidents, 1):
            _incident_detail(document, n, item)
    else:
        document.add_paragraph("本期无新增或升级事件。")
    if digest.desk is not None:
        document.add_heading("七、处置情况", level=1)
        desk_docx(document, digest.desk)
    if digest.trending:
        document.add_heading("八、升温话题" if digest.desk is not None else "七、升温话题",
                             level=1)
        for item in digest.trending:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{item.label}：{item.docs} 篇，增幅 {item.growth:.1f} 倍 ")
            for sample in item.samples[:2]:
                _link(paragraph, sample.title, sample.url)
    _footer(document)
    return _bytes(document)


def incident_docx(report: IncidentReport) -> bytes:
    """The 事件专报 of one incident as .docx bytes."""
    from docx.shared import Cm

    record = report.record
    document = _new_document()
    document.add_heading(f"舆情事件专报：{record.title}", level=0)
    _meta(document, [
        f"事件编号：{record.id}",
        f"风险等级：{level_label(record.level)}（评分 {record.score}）",
        f"报道时段：{when(record.first_seen, with_year=True)} 至 "
        f"{when(record.last_seen, with_year=True)}（北京时间）",
    ])
    document.add_heading("一、事件概况", level=1)
    paragraph = document.add_paragraph(
        f"该事件共收录报道 {record.documents} 篇，来源 {record.sources} 个，涉及地区 "
        f"{regions_text(record.regions)}，问题类型 {categories_text(record.categories)}。首发："
        f"{report.first.outlet} {when(report.first.when, with_year=True)} "
    )
    _link(paragraph, report.first.title, report.first.url)
    document.add_heading("二、风险依据", level=1)
    for reason in record.reasons or ["无"]:
        document.add_paragraph(reason_zh(reason), style="List Bullet")

    document.add_heading("三、事件时间线", level=1)
    official = {link.doc_id: terms for link, terms in report.official}
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    _header(table, ["时间", "来源", "报道", "性质"])
    for day in report.timeline:
        for link in day.links:
            cells = table.add_row().cells
            cells[0].text = when(link.when, with_year=True)
            cells[1].text = link.outlet or "—"
            _link(cells[2].paragraphs[0], link.title, link.url)
            cells[3].text = _role(link, report, official)
    document.add_heading("四、传播走势", level=1)
    daily = [(day.day, len(day.links)) for day in report.timeline if day.day[:1].isdigit()]
    if daily:
        document.add_picture(
            io.BytesIO(spread_chart(daily, "每日报道量", record.level)), width=Cm(16)
        )
    for name, count in report.tiers:
        document.add_paragraph(f"{name}：{count} 篇", style="List Bullet")
    document.add_heading("五、官方回应", level=1)
    if report.official:
        for link, terms in report.official:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{when(link.when, with_year=True)} {link.outlet} ")
            _link(paragraph, link.title, link.url)
            paragraph.add_run(f"（{'、'.join(terms)}）")
    else:
        document.add_paragraph("尚未收录到含“通报、致歉、回应、处理结果、停职、免职”的报道。")
    document.add_heading("六、代表性摘录", level=1)
    for excerpt in report.excerpts:
        paragraph = document.add_paragraph(f"“{excerpt.text}”——{excerpt.link.outlet} ")
        _link(paragraph, excerpt.link.title, excerpt.link.url)
    _footer(document)
    return _bytes(document)


def to_pdf(docx: bytes, *, soffice: str | None = None) -> bytes:
    """Convert .docx bytes to PDF with LibreOffice headless; raises ``PdfUnavailable``."""
    binary = soffice or shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise PdfUnavailable(
            "--format pdf needs LibreOffice (soffice), which is not installed: install "
            "libreoffice-writer-nogui (Debian/Ubuntu), or write --format docx"
        )
    with tempfile.TemporaryDirectory(prefix="hotwatch-pdf-") as directory:
        work = Path(directory)
        source = work / "report.docx"
        source.write_bytes(docx)
        # A private profile: two conversions at once must not share (and lock) one.
        profile = (work / "profile").as_uri()
        command = [binary, f"-env:UserInstallation={profile}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT, check=False,
                           env={**os.environ, "HOME": directory})
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"LibreOffice did not finish within {PDF_TIMEOUT} s") from None
        except OSError as error:
            raise PdfUnavailable(f"cannot run LibreOffice ({binary}): {error}") from None
        pdf = work / "report.pdf"
        if not pdf.is_file():
            raise PdfUnavailable("LibreOffice did not produce a PDF from the report")
        return pdf.read_bytes()


def _new_document() -> Any:
    from docx import Document
    from docx.shared import Cm

    from reports.docx_parts import set_fonts

    document = Document()
    set_fonts(document)
    for section in document.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.5)
    return document


def _meta(document: Any, lines: Sequence[str]) -> None:
    for line in lines:
        document.add_paragraph(line)


def _situation(digest: Digest, overview: Overview) -> str:
    collected, relevant = digest.metric("collected"), digest.metric("relevant")
    share = digest.metric("negative_share")
    levels = Counter(item.record.level for item in digest.incidents)
    by_level = "、".join(
        f"{level_label(level)} {levels[level]} 起"
        for level in ("red", "orange", "yellow", "blue") if levels[level]
    )
    negative = dict(overview.bands).get("负面", 0)
    text = (
        f"{digest.period.label}，共收集报道 {collected.current:.0f} 篇，其中相关报道 "
        f"{relevant.current:.0f} 篇（较{digest.period.previous_name} {signed(relevant.change)}），"
        f"负面 {negative} 篇，负面占比 {number(share.current, percent=True)}。"
    )
    if digest.incidents:
        text += f"新增或升级事件 {len(digest.incidents)} 起（{by_level}）。"
    else:
        text += "无新增或升级事件。"
    return text


def _metric_paragraph(document: Any, metric: Metric, previous_name: str) -> None:
    paragraph = document.add_paragraph(style="List Bullet")
    paragraph.add_run(
        f"{metric.label}：{number(metric.current, percent=metric.percent)}"
        f"（{previous_name} {number(metric.previous, percent=metric.percent)}，"
        f"{signed(metric.change, percent=metric.percent)}）"
    )
    if metric.examples:
        paragraph.add_run("。来源：")
        _links(paragraph, metric.examples[:LINKS_PER_STATEMENT])


def _ranked(document: Any, pairs: list[tuple[str, int]], title: str, empty: str) -> None:
    from docx.shared import Cm

    if not pairs:
        document.add_paragraph(empty)
        return
    document.add_paragraph("，".join(f"{name} {n} 篇" for name, n in pairs) + "。")
    document.add_picture(io.BytesIO(ranked_chart(pairs, title)), width=Cm(16))


def _incident_table(document: Any, items: Sequence[IncidentItem]) -> None:
    from reports.docx_parts import shade

    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    _header(table, ["等级", "事件", "首发", "报道/来源", "地区", "状态"])
    for item in items:
        record = item.record
        cells = table.add_row().cells
        cells[0].text = level_label(record.level)
        shade(cells[0], LEVEL_COLORS[record.level])
        _link(cells[1].paragraphs[0], record.title, item.first.url)
        cells[2].text = f"{item.first.outlet} {when(item.first.when)}"
        cells[3].text = f"{record.documents} / {record.sources}"
        cells[4].text = regions_text(record.regions)
        cells[5].text = "新增" if item.status == "new" else (
            f"由{level_label(item.previous_level or 'blue')}升级")


def _incident_detail(document: Any, n: int, item: IncidentItem) -> None:
    record = item.record
    document.add_heading(f"{n}. 【{level_label(record.level)}】{record.title}", level=2)
    reasons = "；".join(reason_zh(r) for r in record.reasons) or "无"
    document.add_paragraph(f"风险依据（评分 {record.score}）：{reasons}")
    paragraph = document.add_paragraph(
        f"规模：报道 {record.documents} 篇，来源 {record.sources} 个；类型："
        f"{categories_text(record.categories)}。相关报道："
    )
    _links(paragraph, item.links)


def _role(link: DocLink, report: IncidentReport, official: dict[str, list[str]]) -> str:
    if link.doc_id == report.first.doc_id:
        return "首发"
    if link.doc_id in official:
        return "官方回应"
    return "跟进/转载"


def _header(table: Any, titles: list[str]) -> None:
    from reports.docx_parts import header_row

    header_row(table, titles)


def _links(paragraph: Any, links: Sequence[DocLink]) -> None:
    for k, link in enumerate(links):
        if k:
            paragraph.add_run("；")
        paragraph.add_run(f"{link.outlet} " if link.outlet else "")
        _link(paragraph, link.title, link.url)


def _link(paragraph: Any, text: str, url: str) -> None:
    from reports.docx_parts import add_hyperlink

    add_hyperlink(paragraph, text, url)


def _footer(document: Any) -> None:
    document.add_paragraph("")
    document.add_paragraph(FOOTER)


def _bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
