"""Regions of a page around the article: its header and its byline area."""

from __future__ import annotations

from analysis.extract.body import Body
from analysis.extract.html import Line

#: Lines before the article that still count as its header.
HEADER_LINES = 12
#: How far before the article the title line may be.
TITLE_DISTANCE = 40
#: Lines at the start of the article that may still hold the byline.
LEAD_BYLINE_LINES = 6
#: Lines after the article searched for a byline (editor lines often sit there).
FOOTER_LINES = 8


def header_lines(lines: list[Line], body: Body, title: str) -> list[Line]:
    """Lines from the title line to the article, plus the article's first lines.

    Without a title line, the ``HEADER_LINES`` lines before the article. Lines inside
    navigation or search bars (their dates are usually today's) are left out.
    """
    first = max(0, body.start - HEADER_LINES)
    key = title[:10]
    for index in range(body.start - 1, max(-1, body.start - TITLE_DISTANCE), -1):
        if key and key in lines[index].text:
            first = index
            break
    span = range(first, min(body.end, body.start + 3))
    return [lines[i] for i in span if i not in body.noise]


def byline_region(lines: list[Line], body: Body, title: str) -> list[Line]:
    """The header, the article's first and last lines, and the lines right after it."""
    article = lines[body.start : body.end]
    after = [
        line
        for index, line in enumerate(lines[body.end : body.end + FOOTER_LINES], body.end)
        if index not in body.noise
    ]
    return header_lines(lines, body, title) + article[3:LEAD_BYLINE_LINES] + article[-4:] + after
