"""analysis.sentiment.corpus and .train: reading, the seeded split, ROC AUC, accuracy."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.sentiment.corpus import LabelledText, read_corpus, stratified_split
from analysis.sentiment.model import default_model
from analysis.sentiment.train import evaluate, roc_auc


def rows(n_pos: int, n_neg: int) -> list[LabelledText]:
    return [LabelledText(f"正面{i}", True) for i in range(n_pos)] + [
        LabelledText(f"负面{i}", False) for i in range(n_neg)
    ]


def test_split_is_stratified_disjoint_and_seeded() -> None:
    data = rows(30, 70)
    split = stratified_split(data, 0.2, seed=5)
    assert sum(r.positive for r in split.dev) == 6
    assert sum(not r.positive for r in split.dev) == 14
    assert sorted(map(str, split.train + split.dev)) == sorted(map(str, data))
    assert stratified_split(data, 0.2, seed=5) == split
    assert stratified_split(data, 0.2, seed=6).dev != split.dev


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_split_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match="dev_fraction"):
        stratified_split(rows(2, 2), fraction, seed=1)


def test_read_corpus_skips_unlabelled_empty_and_repeated(tmp_path: Path) -> None:
    (tmp_path / "weibo-emotion-dev.csv").write_text(
        "text,emotion,polarity\n"
        "今天真开心,optimism,pos\n"
        "太气人了,anger,neg\n"
        "居然这样,surprise,\n"
        ",anger,neg\n"
        "今天真开心,optimism,pos\n"
        '"逗号,在里面",sadness,neg\n',
        encoding="utf-8",
    )
    assert read_corpus(tmp_path, "weibo") == [
        LabelledText("今天真开心", True),
        LabelledText("太气人了", False),
        LabelledText("逗号,在里面", False),
    ]


def test_roc_auc() -> None:
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert roc_auc([0.5, 0.5], [False, True]) == 0.5
    assert roc_auc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    with pytest.raises(ValueError, match="both"):
        roc_auc([0.1, 0.2], [True, True])


def test_evaluate_counts_half_as_positive() -> None:
    data = [
        LabelledText("服务非常好，非常满意，感谢！", True),
        LabelledText("态度恶劣，问题没有解决，非常失望。", False),
    ]
    metrics = evaluate(default_model(), data)
    assert (metrics.n, metrics.accuracy, metrics.auc) == (2, 1.0, 1.0)
