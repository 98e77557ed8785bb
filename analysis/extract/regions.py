"""Regions of a page around the article: its header and its byline area."""

from __future__ import annotations

from lxml import etree

from analysis.extract.body import Body
from analysis.extract.boilerplate import attributes
from analysis.extract.html import Line
from analysis.extract.patterns import NAV_ATTR

#: Lines before the article that still count as its header.
HEADER_LINES = 12
#: How far before the article the title line may be.
TITLE_DISTANCE = 40
#: Lines at the start of the article that may still hold the byline.
LEAD_BYLINE_LINES = 6
#: Lines after the article searched for a byline (editor lines often sit there).
FOOTER_LINES = 8
#: How far up from a header line to look for a navigation or search container.
NAV_DEPTH = 4


def header_lines(lines: list[Line], body: Body, title: str) -> list[Line]:
    """Lines from the title line to the article, plus the article's first lines.

    Without a title line, the ``HEADER_LINES`` lines before the article, leaving out
    lines of boilerplate containers. Below the title line only navigation and search
    bars are left out (their dates are usually today's or the edition's): a date line
    there belongs to the article even in a container classed ``header`` or ``share``.
    """
    key = title[:10]
    for index in range(body.start - 1, max(-1, body.start - TITLE_DISTANCE), -1):
        if key and key in lines[index].text:
            span = range(index, min(body.end, body.start + 3))
            return [lines[i] for i in span if i not in body.noise or not _in_nav(lines[i])]
    span = range(max(0, body.start - HEADER_LINES), min(body.end, body.start + 3))
    return [lines[i] for i in span if i not in body.noise]


def _in_nav(line: Line) -> bool:
    """The line sits in a navigation, menu or search container (a few levels up)."""
    element: etree._Element | None = line.owner
    for _ in range(NAV_DEPTH):
        if element is None:
            return False
        if element.tag == "nav" or NAV_ATTR.search(attributes(element)):
            return True
        element = element.getparent()
    return False


def byline_region(lines: list[Line], body: Body, title: str) -> list[Line]:
    """The header, the article's first and last lines, and the lines right after it."""
    article = lines[body.start : body.end]
    after = [
        line
        for index, line in enumerate(lines[body.end : body.end + FOOTER_LINES], body.end)
        if index not in body.noise
    ]
    return header_lines(lines, body, title) + article[3:LEAD_BYLINE_LINES] + article[-4:] + after
