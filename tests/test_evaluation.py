"""The labelled set, the metrics computed over it and ``hotwatch eval``."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.evaluation import DevsetError, load_devset
from analysis.evaluation.baseline import keyword_rule
from analysis.evaluation.metrics import (
    accuracy,
    f1_at_prevalence,
    pairwise_prf,
    precision_recall_f1,
    roc_auc,
    same_group_pairs,
)
from analysis.tags.categories import CATEGORIES
from analysis.tags.gazetteer import load_gazetteer
from hotwatch.cli import cli

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


def test_f1_at_prevalence_keeps_recall_and_false_positive_rate() -> None:
    # 4 of 8 positives found (recall 0.5), 2 of 8 negatives taken (false-positive rate 0.25).
    gold = [True] * 8 + [False] * 8
    predicted = [True] * 4 + [False] * 4 + [True] * 2 + [False] * 6
    assert f1_at_prevalence(gold, predicted, 0.5) == pytest.approx(2 * 4 / (6 + 8))
    # At 20% positives: precision 0.1 / (0.1 + 0.2) = 1/3, F1 = 2 * (1/3) * 0.5 / (1/3 + 0.5).
    assert f1_at_prevalence(gold, predicted, 0.2) == pytest.approx(0.4)
    assert f1_at_prevalence(gold, [False] * 16, 0.2) == 0.0


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


# --- hotwatch eval (real pages) ----------------------------------------------------------

REAL_METRICS = {
    "relevance precision",
    "relevance recall",
    "relevance F1",
    "category accuracy",
    "category accuracy (pages judged relevant)",
    "province accuracy",
    "incident pairwise precision",
    "incident pairwise recall",
    "incident pairwise F1",
    "incident grouping F1 (pages read relevant)",
    "damage AUC (>=2 vs <=1)",
    "damage AUC among relevant (3 vs <=2)",
    "damage Spearman (0-3)",
}
PAGES = {
    "w1": (
        "郑州一市民拨打12345反映噪音 接线员不耐烦挂断电话\n"
        "市民王先生说，他三次拨打12345热线，接线员态度恶劣，称“别再打了”随后挂断。",
        {
            "relevant": True,
            "category": "rudeness",
            "province": "河南",
            "incident": "zz-1",
            "negativity": 3,
        },
    ),
    "w2": (
        "郑州12345热线接线员挂断市民电话 热线中心致歉\n"
        "针对市民王先生反映接线员挂断电话一事，郑州12345热线中心致歉，涉事接线员停岗。",
        {
            "relevant": True,
            "category": "rudeness",
            "province": "河南",
            "incident": "zz-1",
            "negativity": 2,
        },
    ),
    "w3": (
        "市民送锦旗感谢12345热线\n市民李女士来到热线中心，为接线员送上锦旗，感谢热心帮助。",
        {"relevant": False, "neg_type": "praise", "negativity": 0},
    ),
    "w4": (
        "如何拨打12345热线\n12345热线受理咨询、求助、投诉和建议，拨打后按语音提示操作即可。",
        {"relevant": False, "neg_type": "howto", "negativity": 0},
    ),
}


@pytest.fixture
def page_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four written pages as a label file plus their texts in a private cache."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("HOTWATCH_PAGES_CACHE", str(cache))
    labels = tmp_path / "labels.jsonl"
    with labels.open("w", encoding="utf-8") as handle:
        for page_id, (text, label) in PAGES.items():
            (cache / f"{page_id}.txt").write_text(text, encoding="utf-8")
            record = {"id": page_id, "url": f"https://example.com/{page_id}", **label}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return labels


def test_eval_json_reports_every_metric_beside_its_baselines(page_set: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--file", str(page_set), "--set", "all", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["set"], report["documents"], report["missing_text"]) == ("all", 4, 0)
    assert set(report["metrics"]) == REAL_METRICS
    assert report["metrics"]["relevance F1"]["baseline"] is not None
    damage = report["metrics"]["damage AUC (>=2 vs <=1)"]
    assert damage["baseline"] is not None and damage["baseline_2"] is not None
    assert 0.0 <= damage["hotwatch"] <= 1.0


def test_eval_scores_the_grouping_apart_from_relevance(page_set: Path) -> None:
    """A report and its follow-up read as one event are grouped as one, whether or not
    the relevance judgement kept both: the grouping row says so on its own."""
    lines = page_set.read_text(encoding="utf-8").splitlines()
    apart = json.loads(lines[1])
    apart["incident"] = "zz-2"  # read as another event: the pair must not count
    result = CliRunner().invoke(cli, ["eval", "--file", str(page_set), "--set", "all", "--json"])
    together = json.loads(result.output)["metrics"]["incident grouping F1 (pages read relevant)"]
    page_set.write_text("\n".join([lines[0], json.dumps(apart, ensure_ascii=False), *lines[2:]]))
    result = CliRunner().invoke(cli, ["eval", "--file", str(page_set), "--set", "all", "--json"])
    separate = json.loads(result.output)["metrics"]["incident grouping F1 (pages read relevant)"]
    assert (together["hotwatch"], separate["hotwatch"]) == (1.0, 0.0)


def test_eval_table_names_both_baselines_and_lists_misses(page_set: Path) -> None:
    lines = page_set.read_text(encoding="utf-8").splitlines()
    flipped = json.loads(lines[2])
    flipped.update(relevant=True, category="other", incident="praise-1")  # a wrong label
    page_set.write_text("\n".join([*lines[:2], json.dumps(flipped, ensure_ascii=False), lines[3]]))
    result = CliRunner().invoke(cli, ["eval", "--file", str(page_set), "--set", "all", "-v"])
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert out[0] == "set: all, 4 Chinese pages"
    rows = [line.split("  ")[0] for line in out[3 : 3 + len(REAL_METRICS)]]
    assert sorted(rows) == sorted(REAL_METRICS)  # each once
    assert out[1].split() == ["metric", "hotwatch", "baseline", "baseline", "2", "target"]
    assert any(line.startswith("w3  relevance: want True") for line in out)


def test_eval_sets_pages_in_other_languages_aside_and_shows_them_apart(page_set: Path) -> None:
    english = (
        "Residents say the city complaint hotline 12345 hung up on them\n"
        "Callers to the city's 12345 hotline say operators hung up and the case was closed.",
        {"relevant": True, "category": "rudeness", "incident": "en-1", "negativity": 2},
    )
    cache = Path(os.environ["HOTWATCH_PAGES_CACHE"])
    (cache / "e1.txt").write_text(english[0], encoding="utf-8")
    record = {"id": "e1", "url": "https://example.com/e1", **english[1]}
    with page_set.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    result = CliRunner().invoke(cli, ["eval", "--file", str(page_set), "--set", "all", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["documents"], report["other_languages"]) == (4, 1)
    all_languages = report["metrics"]["relevance F1, all languages (1 pages not Chinese)"]
    assert all_languages["support"] == 5
    assert all_languages["hotwatch"] < report["metrics"]["relevance F1"]["hotwatch"]


def test_eval_without_cached_texts_is_one_line_error(
    page_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTWATCH_PAGES_CACHE", str(tmp_path / "empty"))
    result = CliRunner().invoke(cli, ["eval", "--file", str(page_set), "--set", "all"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no labelled page texts in ")
    assert len(result.output.splitlines()) == 1


def test_eval_unreadable_file_is_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = CliRunner().invoke(cli, ["eval", "--file", str(missing)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot read labels {missing}: ")
    assert len(result.output.splitlines()) == 1
