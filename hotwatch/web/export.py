"""CSV export of a result set for Excel: UTF-8 with BOM, Chinese headers, streamed.

Cells that a spreadsheet would run as a formula (starting with ``= + - @`` or a
tab/CR) are prefixed with an apostrophe: crawled titles are untrusted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from index import SearchResult
from index.records import Hit
from reports.formatting import category_name, region_text, when

BATCH = 1000
MAX_ROWS = 10_000
HEADERS = (
    "标题", "原文链接", "发布时间", "媒体", "来源", "层级", "负面度", "相关", "热线", "地区",
    "问题类型", "事件", "摘要", "文档ID",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(
    first: SearchResult,
    more: Callable[[int, int], SearchResult],
    *,
    max_rows: int = MAX_ROWS,
) -> Iterator[bytes]:
    """CSV bytes batch by batch: ``first`` (offset 0), then ``more(offset, limit)`` pages."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    yield "\ufeff".encode() + _take(buffer)
    result, offset = first, 0
    while True:
        hits = result.hits[: max_rows - offset]
        for hit in hits:
            writer.writerow([_cell(value) for value in row(hit)])
        yield _take(buffer)
        offset += len(hits)
        if not hits or offset >= min(result.total, max_rows):
            break
        result = more(offset, min(BATCH, max_rows - offset))


def row(hit: Hit) -> list[object]:
    doc = hit.document
    return [
        doc.title,
        doc.url,
        when(doc.published_at, with_year=True) if doc.published_at else "",
        doc.outlet or "",
        doc.source or "",
        doc.tier if doc.tier is not None else "",
        f"{doc.negativity:.2f}",
        "是" if doc.relevant else "否",
        "|".join(doc.hotlines),
        "|".join(region_text(r) for r in doc.regions),
        "|".join(category_name(c) for c in doc.categories),
        doc.incident_id or "",
        hit.snippet,
        doc.id,
    ]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
