"""The PR desk's judgements as evaluation labels: ``hotwatch labels export`` writes the
real-page set's format (and the page cache's texts), ``hotwatch eval --labels`` measures
today's analysis on them from the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analysis.evaluation.realpages import load_pages
from hotwatch import Hotwatch
from hotwatch.cli import cli
from hotwatch.config import load_config
from tests.store_fixtures import fill_store


@pytest.fixture
def config(tmp_path: Path) -> Any:
    fill_store(tmp_path / "data")
    config = load_config(None, data_dir=tmp_path / "data", environ={})
    api = Hotwatch(config)
    api.rebuild_incidents()
    return config


def _run(config: Any, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--data-dir", str(config.data_dir), *args],
                              env={"HOTWATCH_PAGES_CACHE": "/nonexistent-cache"})


def test_judged_incidents_become_labels_in_the_real_page_format(config, tmp_path):
    api = Hotwatch(config)
    incidents = api.incidents()
    assert len(incidents) >= 2
    confirmed, rejected = incidents[0].id, incidents[1].id
    api.handling.change(confirmed, user="王敏", status="handling")
    api.handling.change(rejected, user="李强", status="false_positive", note="小说情节")
    out, texts = tmp_path / "labels.jsonl", tmp_path / "pages"
    result = _run(config, "labels", "export", "--out", str(out), "--texts", str(texts))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_incident = {r["reason"].split()[1]: r for r in records}
    assert by_incident[confirmed]["relevant"] is True
    assert by_incident[confirmed]["negativity"] == 2
    assert by_incident[confirmed]["labeller"] == "王敏"
    assert by_incident[rejected]["relevant"] is False and by_incident[rejected]["negativity"] == 0
    assert f"wrote {len(records)} label(s)" in result.output
    # The same file and texts load as the real-page set does, so `eval --file` runs on them.
    pages = load_pages("all", path=out, cache=texts)
    assert pages.missing_text == 0 and len(pages.pages) == len(records)
    assert {p.relevant for p in pages.pages} == {True, False}


def test_eval_labels_measures_relevance_and_damage_without_the_page_cache(config, tmp_path):
    api = Hotwatch(config)
    first, second = (record.id for record in api.incidents()[:2])
    api.handling.change(first, user="王敏", status="closed")
    api.handling.change(second, user="王敏", status="false_positive")
    out = tmp_path / "labels.jsonl"
    assert _run(config, "labels", "export", "--out", str(out)).exit_code == 0
    result = _run(config, "eval", "--labels", str(out), "--json")
    assert result.exit_code == 0, result.output
    staff = json.loads(result.output)["labels"]
    assert staff["documents"] >= 2 and 1 <= staff["relevant"] < staff["documents"]
    metrics = staff["metrics"]
    assert set(metrics) == {"relevance precision", "relevance recall", "relevance f1",
                            "damage AUC"}
    assert 0 <= metrics["relevance f1"]["hotwatch"] <= 1
    text = _run(config, "eval", "--labels", str(out))
    assert "the desk's labels" in text.output and "the built-in real-page set:" in text.output


def test_a_broken_label_file_is_one_line(config, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x"}\n', encoding="utf-8")
    result = _run(config, "eval", "--labels", str(broken))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {broken}:1: a label needs doc_id and relevant "
        "(write them with: hotwatch labels export)"
    ]
