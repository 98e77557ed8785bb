"""Export formats for search hits: the registry, CSV for spreadsheets, JSON lines."""

from __future__ import annotations

import io
import json

import pytest

from reports.exporters import (
    EXPORTERS,
    CsvExporter,
    JsonLinesExporter,
    export_items,
    exporter_class,
)

HITS = [
    {
        "id": "a1", "title": "新乡12345热线接线员骂人", "url": "https://news.test/1.html",
        "published_at": "2021-04-25T02:00:00+00:00", "negativity": 0.9,
        "hotlines": ["12345"], "regions": [{"province": "河南省", "city": "新乡市"}],
        "categories": ["rudeness", "other"], "snippet": "接线员, \"骂人\"",
    },
    {"id": "b2", "title": "市长热线打不通", "url": "https://news.test/3.html", "hotlines": []},
]


def test_the_registry_names_class_paths():
    assert EXPORTERS == {
        "csv": "reports.exporters.CsvExporter",
        "jsonl": "reports.exporters.JsonLinesExporter",
    }
    assert exporter_class("csv") is CsvExporter
    assert exporter_class("jsonl") is JsonLinesExporter
    with pytest.raises(ValueError, match=r"unknown export format 'xml' \(choose from csv"):
        exporter_class("xml")


def test_csv_opens_in_excel_with_chinese_and_joined_lists():
    out = io.BytesIO()
    count = export_items("csv", HITS, out, fields_to_export=["id", "title", "hotlines",
                                                            "regions", "categories", "snippet"])
    assert count == 2
    data = out.getvalue()
    assert data.startswith("\ufeff".encode())  # utf-8-sig
    rows = data.decode("utf-8-sig").splitlines()
    assert rows == [
        "id,title,hotlines,regions,categories,snippet",
        'a1,新乡12345热线接线员骂人,12345,河南省新乡市,rudeness|other,"接线员, ""骂人"""',
        "b2,市长热线打不通,,,,",
    ]


def test_jsonl_keeps_chinese_readable():
    out = io.BytesIO()
    export_items("jsonl", HITS, out, fields_to_export="id,title")
    lines = out.getvalue().decode("utf-8").splitlines()
    assert lines[0] == '{"id": "a1", "title": "新乡12345热线接线员骂人"}'
    assert json.loads(lines[1]) == {"id": "b2", "title": "市长热线打不通"}


def test_the_file_stays_open_for_the_caller():
    out = io.BytesIO()
    exporter = CsvExporter(out, include_headers_line=False, join_multivalued="；")
    exporter.start_exporting()
    exporter.export_item(HITS[0])
    exporter.finish_exporting()
    out.write(b"")  # still open
    assert "rudeness；other" in out.getvalue().decode("utf-8-sig")


def test_unknown_options_are_rejected():
    with pytest.raises(TypeError, match="Unexpected options: colour, indent"):
        JsonLinesExporter(io.BytesIO(), colour=True, indent=2)
    with pytest.raises(TypeError, match="Unexpected options: ensure_ascii"):
        CsvExporter(io.BytesIO(), ensure_ascii=True)
    JsonLinesExporter(io.BytesIO(), dont_fail=True, colour=True)  # explicitly tolerated
