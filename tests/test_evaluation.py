"""The labelled set, the metrics computed over it and ``hotwatch eval``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.evaluation import DevsetError, load_devset
from analysis.evaluation.baseline import keyword_rule
from analysis.evaluation.metrics import (
    accuracy,
    pairwise_prf,
    precision_recall_f1,
    roc_auc,
    same_group_pairs,
)
from analysis.tags.categories import CATEGORIES
from analysis.tags.regions import load_gazetteer
from hotwatch.cli import cli

METRICS = (
    "relevance precision",
    "relevance recall",
    "relevance F1",
    "category accuracy",
    "category set accuracy",
    "province accuracy",
    "city accuracy",
    "incident pairwise precision",
    "incident pairwise recall",
    "incident pairwise F1",
    "negativity ROC AUC",
)

# --- metrics on hand-computed examples ------------------------------------------------


def test_precision_and_recall_differ_when_they_should() -> None:
    scores = precision_recall_f1([True, True, True, False], [True, False, False, False])
    assert (scores.precision, scores.recall, scores.f1) == (1.0, pytest.approx(1 / 3), 0.5)


def test_false_positives_lower_precision() -> None:
    scores = precision_recall_f1([True, True, False, False, True], [True, False, True, False, True])
    assert scores.precision == pytest.approx(2 / 3)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.f1 == pytest.approx(2 / 3)


def test_no_predictions_give_zero_not_an_error() -> None:
    scores = precision_recall_f1([True, False], [False, False])
    assert (scores.precision, scores.recall, scores.f1) == (0.0, 0.0, 0.0)


def test_accuracy() -> None:
    assert accuracy(["河南省", "云南省", None], ["河南省", "贵州省", None]) == pytest.approx(2 / 3)
    assert accuracy([], []) == 0.0


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="length mismatch"):
        accuracy([1, 2], [1])


def test_same_group_pairs_ignore_ungrouped_documents() -> None:
    assert same_group_pairs(["a", None, "a", None, "b"]) == {(0, 2)}


def test_pairwise_scores_count_pairs_not_documents() -> None:
    # gold pairs: 01 02 12 34; predicted: 01 02 03 12 13 23; shared: 01 02 12
    scores = pairwise_prf(["a", "a", "a", "b", "b", None], ["x", "x", "x", "x", "y", None])
    assert scores.precision == pytest.approx(3 / 6)
    assert scores.recall == pytest.approx(3 / 4)
    assert scores.f1 == pytest.approx(0.6)


def test_roc_auc_counts_ordered_pairs_and_half_ties() -> None:
    assert roc_auc([True, True, False, False], [0.9, 0.4, 0.5, 0.1]) == pytest.approx(0.75)
    assert roc_auc([True, False, False], [0.5, 0.5, 0.2]) == pytest.approx(0.75)
    assert roc_auc([True, True], [0.3, 0.8]) is None


def test_baseline_needs_a_hotline_word_and_a_failure_word() -> None:
    assert keyword_rule("12345热线打不通", "")
    assert not keyword_rule("热线开通", "市民可拨打热线咨询")
    assert not keyword_rule("电话打不通", "家里座机坏了")


# --- the bundled labelled set ----------------------------------------------------------


def test_bundled_set_is_large_balanced_and_split() -> None:
    docs = load_devset()
    assert len(docs) >= 120
    assert {doc.split for doc in docs} == {"dev", "test"}
    relevant = sum(doc.relevant for doc in docs)
    assert 0.4 <= relevant / len(docs) <= 0.6
    assert all(100 <= len(doc.text) <= 1500 for doc in docs)
    assert len({doc.id for doc in docs}) == len(docs)


def test_every_label_is_valid() -> None:
    divisions = load_gazetteer().divisions.values()
    provinces = {d.name for d in divisions if d.level == "province"}
    names = {d.name for d in divisions}
    for doc in load_devset():
        assert set(doc.categories) <= set(CATEGORIES), doc.id
        assert doc.province is None or doc.province in provinces, doc.id
        assert doc.city is None or doc.city in names, doc.id
        assert doc.relevant == bool(doc.categories), doc.id


def test_incidents_have_several_reports_each_in_one_split() -> None:
    docs = load_devset()
    sizes = Counter(doc.incident for doc in docs if doc.incident)
    assert sum(size >= 3 for size in sizes.values()) >= 8
    for incident in sizes:
        assert len({doc.split for doc in docs if doc.incident == incident}) == 1, incident


def test_hard_negatives_of_every_kind_are_present() -> None:
    kinds = {doc.kind for doc in load_devset() if not doc.relevant}
    expected = {"fiction", "caller_punished", "howto", "launch", "praise", "statistics"}
    assert expected | {"tag_page", "policy", "job_ad", "scam_warning"} <= kinds


def test_subsets_partition_the_set() -> None:
    dev, test = load_devset(subset="dev"), load_devset(subset="test")
    assert len(dev) + len(test) == len(load_devset(subset="all"))
    assert {doc.split for doc in test} == {"test"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "devset.jsonl:1: not JSON"),
        ('{"id": "x"}', "devset.jsonl:1: missing split, kind, title"),
    ],
)
def test_broken_files_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "devset.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DevsetError, match=message):
        load_devset(path)


def test_invalid_labels_are_rejected(tmp_path: Path) -> None:
    record = json.loads(_bundled_line())
    record["province"] = "新乡省"
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(DevsetError, match="unknown province '新乡省'"):
        load_devset(path)


def _bundled_line() -> str:
    from importlib import resources

    text = resources.files("analysis.evaluation").joinpath("devset.jsonl").read_text("utf-8")
    return text.splitlines()[0]


# --- hotwatch eval ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def test_report() -> dict:
    result = CliRunner().invoke(cli, ["eval", "--set", "test", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_eval_json_reports_every_metric(test_report: dict) -> None:
    assert test_report["set"] == "test"
    assert set(test_report["metrics"]) == set(METRICS)
    for name in METRICS:
        assert 0.0 <= test_report["metrics"][name]["hotwatch"] <= 1.0, name
    assert test_report["metrics"]["relevance F1"]["baseline"] is not None


def test_held_out_quality_meets_the_targets(test_report: dict) -> None:
    metrics = test_report["metrics"]
    for name in ("relevance F1", "province accuracy", "incident pairwise F1"):
        assert metrics[name]["met"], (name, metrics[name], test_report["misses"])
    assert metrics["relevance F1"]["hotwatch"] > metrics["relevance F1"]["baseline"]


def test_eval_table_lists_misses_when_verbose(tmp_path: Path) -> None:
    record = json.loads(_bundled_line())
    record["relevant"], record["categories"], record["incident"] = False, [], None
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--file", str(path), "--set", "all", "-v"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "set: all, 1 documents"
    assert lines[1].split() == ["metric", "hotwatch", "baseline", "target"]
    assert any(line.startswith(f"{record['id']}  relevance: want False") for line in lines)


def test_eval_unreadable_file_is_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = CliRunner().invoke(cli, ["eval", "--file", str(missing)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot read labelled set {missing}: ")
    assert len(result.output.splitlines()) == 1
