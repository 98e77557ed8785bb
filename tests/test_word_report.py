"""The Word 舆情专报: opened with python-docx, and converted to PDF by Debian's LibreOffice.

The LibreOffice tests skip where ``soffice`` is missing, except under CI=true, where
``.ci/run`` installs libreoffice-writer-nogui and a skip would hide a broken report.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from hotwatch.cli import cli
from reports.figures import cjk_font
from tests.report_fixtures import build_store

ENV = {"HOTWATCH_CONFIG": ""}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build_store(tmp_path / "data")
    return tmp_path / "data"


def run(data_dir: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], env=env or ENV)


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        reason = "LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui"
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot run under CI=true: {reason}")
        pytest.skip(reason)
    return found


def hyperlinks(document) -> set[str]:
    return {
        rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")
    }


def test_the_digest_report_is_a_real_docx_with_charts_incidents_and_sources(data_dir, tmp_path):
    out = tmp_path / "专报.docx"
    result = run(data_dir, "report", "digest", "--date", "2021-04-25", "--format", "docx",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading",
                                                                                  "Title"))]
    assert headings[:7] == [
        "12345热线舆情专报（日报）", "一、总体态势", "二、传播趋势", "三、情感分布",
        "四、来源类型", "五、地区分布", "六、重点事件",
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "统计时段：2021年4月25日" in text
    # Relevant on the day: negativity 0.9, 0.7 and 0.5 -> two 负面, one 中性 (bands function).
    assert "2021年4月25日，共收集报道 4 篇，其中相关报道 3 篇" in text
    assert "负面 2 篇，中性 1 篇，正面 0 篇" in text
    assert "河南省 2 篇，广东省 1 篇" in text
    assert len(document.inline_shapes) == 4  # trend, sentiment, source types, provinces
    for shape in document.inline_shapes:
        blob = document.part.related_parts[
            shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        ].blob
        assert blob.startswith(b"\x89PNG")
    table = document.tables[0]  # then 处置情况's overdue table
    assert [c.text for c in table.rows[0].cells] == ["等级", "事件", "首发", "报道/来源", "地区",
                                                     "状态"]
    assert [r.cells[0].text for r in table.rows[1:]] == ["橙色", "蓝色"]
    assert table.rows[1].cells[4].text == "河南省新乡市"
    assert {"https://news.test/1.html", "https://henan.test/2.html",
            "https://news.test/3.html"} <= hyperlinks(document)


def test_the_incident_report_has_a_timeline_with_first_report_and_official_response(
    data_dir, tmp_path
):
    out = tmp_path / "incident.docx"
    result = run(data_dir, "report", "incident", "inc-xinxiang", "--format", "docx",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    document = Document(str(out))
    assert document.paragraphs[0].text == "舆情事件专报：新乡12345热线接线员骂人"
    [timeline] = document.tables
    rows = [[c.text for c in row.cells] for row in timeline.rows]
    assert rows[0] == ["时间", "来源", "报道", "性质"]
    assert [(r[1], r[3]) for r in rows[1:]] == [("新乡日报", "首发"), ("河南日报", "官方回应")]
    assert len(document.inline_shapes) == 1
    assert {"https://news.test/1.html", "https://henan.test/2.html"} <= hyperlinks(document)


def test_binary_formats_need_an_output_file(data_dir):
    result = run(data_dir, "report", "incident", "inc-xinxiang", "--format", "docx")
    assert result.exit_code == 2
    assert "--format docx writes a file: add --out FILE" in result.output


def test_pdf_without_libreoffice_says_what_to_install(data_dir, tmp_path):
    result = run(data_dir, "report", "incident", "inc-xinxiang", "--format", "pdf", "--out",
                 str(tmp_path / "x.pdf"), env={**ENV, "PATH": str(tmp_path)})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: --format pdf needs LibreOffice (soffice), which is not installed: install "
        "libreoffice-writer-nogui (Debian/Ubuntu), or write --format docx"
    ]
    assert not (tmp_path / "x.pdf").exists()


def test_libreoffice_converts_the_docx_and_the_pdf_holds_the_chinese_headings(
    data_dir, tmp_path
):
    from pypdf import PdfReader

    binary = soffice()
    if cjk_font() is None and os.environ.get("CI") == "true":
        pytest.fail("no CJK font under CI=true: .ci/run installs fonts-noto-cjk")
    docx = tmp_path / "专报.docx"
    assert run(data_dir, "report", "digest", "--date", "2021-04-25", "--out", str(docx)
               ).exit_code == 0
    # Debian's LibreOffice, as a user would run it on the file hotwatch wrote.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [binary, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180,
    )
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "专报.pdf").pages)
    squeezed = "".join(text.split())
    for heading in ("12345热线舆情专报（日报）", "一、总体态势", "三、情感分布", "六、重点事件",
                    "新乡12345热线接线员骂人"):
        assert heading in squeezed


def test_format_pdf_writes_a_pdf_through_libreoffice(data_dir, tmp_path):
    from pypdf import PdfReader

    soffice()
    out = tmp_path / "incident.pdf"
    result = run(data_dir, "report", "incident", "inc-xinxiang", "--format", "pdf",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    squeezed = "".join("".join(p.extract_text() for p in reader.pages).split())
    assert "舆情事件专报：新乡12345热线接线员骂人" in squeezed
    assert "三、事件时间线" in squeezed
