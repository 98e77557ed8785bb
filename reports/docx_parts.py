"""python-docx pieces the library has no call for: hyperlinks, shaded cells, CJK fonts.

Word, WPS and LibreOffice pick the East Asian font from ``w:rFonts/@w:eastAsia``;
without it Chinese text falls back to whatever the reader has, so every style
used here gets it.
"""

from __future__ import annotations

from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from reports.formatting import safe_url

EAST_ASIAN_FONT = "宋体"
HEADING_FONT = "黑体"
LINK_COLOR = "1A5FB4"


def set_fonts(document: Any) -> None:
    """Body text in 宋体 (Latin in Calibri), headings in 黑体, for Word and WPS alike."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        east = HEADING_FONT if name.startswith(("Title", "Heading")) else EAST_ASIAN_FONT
        style.font.name = "Calibri"
        properties = style.element.get_or_add_rPr()
        fonts = properties.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            properties.append(fonts)
        fonts.set(qn("w:eastAsia"), east)
    document.styles["Normal"].font.size = Pt(10.5)


def add_hyperlink(paragraph: Any, text: str, url: str) -> None:
    """A blue underlined link; a URL that is not http(s) is written as plain text."""
    target = safe_url(url)
    if target is None:
        paragraph.add_run(text)
        return
    part = paragraph.part
    relation = part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), LINK_COLOR)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(color)
    properties.append(underline)
    run.append(properties)
    content = OxmlElement("w:t")
    content.text = text
    content.set(qn("xml:space"), "preserve")
    run.append(content)
    link.append(run)
    paragraph._p.append(link)


def shade(cell: Any, color: str, *, white_text: bool = True) -> None:
    """Fill a table cell (``#c0392b``) and make its text white and bold."""
    properties = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    fill.set(qn("w:val"), "clear")
    fill.set(qn("w:color"), "auto")
    fill.set(qn("w:fill"), color.lstrip("#"))
    properties.append(fill)
    if white_text:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.font.bold = True
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def header_row(table: Any, titles: list[str]) -> None:
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(title)
        run.font.bold = True
        shade(cell, "#1f3a5f")
