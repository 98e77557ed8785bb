"""The shipped domain sentiment model, its calibration, and one-pass document scoring."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.sentiment import (
    NegativityModel,
    default_negativity_model,
    document_negativity,
    document_sentiments,
    domain_model,
    score_document,
    score_documents,
    snownlp_negativity_model,
)
from analysis.sentiment.bands import negativity_band
from analysis.sentiment.classifier import BayesClassifier
from analysis.sentiment.model import SentimentModel, default_model
from analysis.sentiment.shipped import shipped_model

snownlp = pytest.importorskip("snownlp")

ROOT = Path(__file__).resolve().parents[1]

# Written for this test (not the probes the training script reports on).
COMPLAINTS = [
    "我给12345打了二十多次电话，每次都说已经转办，可到现在也没有人来处理，真是气死人了。",
    "接线员听完我的诉求直接挂断，再打过去就一直忙音，太过分了。",
    "楼下烧烤店油烟扰民半年了，投诉多少次都没用，部门只会互相推脱。",
    "工单回复里写着问题已解决，实际上什么都没做，简直是欺骗群众。",
    "老人打热线求助，却被工作人员冷言冷语地打发走了，家属非常愤怒。",
    "物业乱收费的问题反映了好几次，热线一直敷衍，投诉人都快崩溃了。",
]
OFFICIAL = [  # clearly positive official responses and outcomes
    "经协调，供暖公司已于当天完成管道抢修，居民家中温度恢复正常。",
    "热线工作人员热情耐心，帮助市民顺利办好了社保转移手续，市民连声称谢。",
    "今年以来，全市政务服务便民热线群众满意率稳步提升。",
    "社区干部主动上门，很快帮老人解决了难题，老人十分感动。",
    "市民对热线的高效服务十分满意，特意送来锦旗表示感谢。",
    "接线员的细心服务赢得了群众的好评和赞扬。",
]
NEUTRAL = [  # factual reports; single ones can be misread (市民, 建议, 公交 lean negative on Weibo)
    "区里组织专班上门走访，现场为居民解答了入学政策问题。",
    "据悉，该市12345热线共设置坐席120个，实行24小时值守。",
    "热线受理后转交属地街道办理，街道已安排人员现场查看。",
    "今年第三季度，热线共受理来电八万余件。",
    "针对市民建议，公交公司新开通了一条社区微循环线路，方便群众出行。",
]


def snownlp_classifier_for(path: Path, tmp_path: Path) -> object:
    """snownlp's own ``Sentiment`` loaded with a model file (it appends ``.3`` to names)."""
    from snownlp.sentiment import Sentiment

    shutil.copyfile(path, tmp_path / "model.3")
    sentiment = Sentiment()
    sentiment.load(str(tmp_path / "model"))
    return sentiment


def test_shipped_model_loads_and_scores() -> None:
    shipped = shipped_model()
    classifier = shipped.classifier()
    assert classifier.classes == ["neg", "pos"]
    assert classifier.vocabulary_size > 10_000
    assert 0.0 < shipped.neutral_negativity < 1.0
    dev = shipped.info["dev"]
    assert dev[shipped.info["candidate"]]["auc"] > dev["snownlp (bundled)"]["auc"]
    model = domain_model()
    scores = model.score_many(COMPLAINTS + OFFICIAL)
    assert all(0.0 <= score <= 1.0 for score in scores)
    official = scores[len(COMPLAINTS) :]
    assert max(scores[: len(COMPLAINTS)]) < 0.5 < sum(official) / len(official)


def test_domain_model_equals_snownlp_with_that_model(tmp_path: Path) -> None:
    with shipped_model().model_file.open("rb") as handle:
        (tmp_path / "shipped.marshal.gz").write_bytes(handle.read())
    reference = snownlp_classifier_for(tmp_path / "shipped.marshal.gz", tmp_path)
    texts = COMPLAINTS + OFFICIAL + ["", "好", "热线", "abc 123", "苌苌热线服务苌" * 5]
    texts.append("".join(COMPLAINTS + OFFICIAL) * 3)
    model = domain_model()
    assert model.score_many(texts) == [reference.classify(text) for text in texts]


def test_domain_model_shares_the_default_segmentation() -> None:
    assert domain_model().same_segmentation(default_model())
    assert domain_model().classifier is not default_model().classifier


def test_trained_counts_round_trip_through_snownlp(tmp_path: Path) -> None:
    """train_counts is SnowNLP's Sentiment.train; write_model is loadable by SnowNLP."""
    from analysis.sentiment.corpus import LabelledText
    from analysis.sentiment.train import train_counts, write_model

    rows = [LabelledText(t, False) for t in COMPLAINTS] + [LabelledText(t, True) for t in OFFICIAL]
    counts = train_counts(rows, default_model())
    expected = snownlp.sentiment.Sentiment()
    expected.train(COMPLAINTS, OFFICIAL)
    assert counts["total"] == expected.classifier.total
    assert {k: v.__dict__ for k, v in expected.classifier.d.items()} == counts["d"]
    write_model(counts, tmp_path / "trained.marshal.gz")
    reference = snownlp_classifier_for(tmp_path / "trained.marshal.gz", tmp_path)
    ours = default_model().with_classifier(BayesClassifier.from_counts(counts))
    probe = "热线工作人员态度很差，问题一直没有解决。"
    assert ours.score(probe) == reference.classify(probe)


def test_negativity_orders_complaints_above_official_sentences() -> None:
    complaints = [document_negativity("", sentence) for sentence in COMPLAINTS]
    official = [document_negativity("", sentence) for sentence in OFFICIAL]
    neutral = [document_negativity("", sentence) for sentence in NEUTRAL]
    assert min(complaints) > 0.5 > max(official)
    assert sum(official) / len(official) < sum(neutral) / len(neutral) < 0.5


def test_negativity_documents() -> None:
    complaint = document_negativity("市民投诉12345热线推诿扯皮", "\n".join(COMPLAINTS))
    official = document_negativity("热线办理情况通报", "\n".join(OFFICIAL))
    assert 0.0 <= official < 0.5 < complaint <= 1.0
    assert document_negativity("", "") == 0.5


def test_calibration_fixed_points_and_monotonic() -> None:
    calibration = NegativityModel(domain_model(), 0.55)
    assert calibration.calibrate(0.0) == 0.0
    assert calibration.calibrate(0.55) == 0.5
    assert calibration.calibrate(1.0) == 1.0
    assert calibration.calibrate(-3.0) == 0.0 and calibration.calibrate(7.0) == 1.0
    grid = [calibration.calibrate(k / 200) for k in range(201)]
    assert all(a < b for a, b in zip(grid, grid[1:], strict=False))


@pytest.mark.parametrize("neutral", [0.0, 1.0, -0.1, 1.5])
def test_calibration_rejects_degenerate_neutral(neutral: float) -> None:
    with pytest.raises(ValueError, match="neutral"):
        NegativityModel(domain_model(), neutral)


def test_more_complaints_mean_more_negativity() -> None:
    """Adding complaint sentences to a neutral report raises negativity step by step."""
    base = ["会议于上午九点在市政务服务中心召开。", OFFICIAL[2]]
    values = [
        document_negativity("热线工作情况", "\n".join(base + COMPLAINTS[:k]))
        for k in range(len(COMPLAINTS) + 1)
    ]
    assert all(a < b for a, b in zip(values, values[1:], strict=False))


def test_default_is_the_shipped_calibration() -> None:
    model = default_negativity_model()
    assert model.sentences is domain_model()
    assert model.neutral == shipped_model().neutral_negativity
    assert snownlp_negativity_model().sentences is default_model()


def test_score_document_is_both_scores_at_once() -> None:
    title = "市民反映12345热线打不通"
    text = "\n".join(COMPLAINTS[:3] + OFFICIAL[:2]) + " 记者 abc。" + OFFICIAL[0]
    result = score_document(title, text)
    assert result.sentiment == snownlp.SnowNLP(text).sentiments
    separate = document_sentiments([(title, text)])[0]
    assert result.negativity == separate.negativity == document_negativity(title, text)
    assert result.sentences == separate.sentences


def test_score_documents_with_separately_loaded_segmentation() -> None:
    """Models on different tables objects each segment for themselves; same results."""
    other = SentimentModel(dataclasses.replace(default_model()._tables))
    assert not other.same_segmentation(domain_model())
    documents = [("热线", COMPLAINTS[0] + OFFICIAL[0]), ("", ""), ("通报", "\n".join(OFFICIAL))]
    shared = score_documents(documents)
    separate = score_documents(documents, sentiment_model=other)
    assert shared == separate
    assert [r.sentiment for r in shared[::2]] == [
        snownlp.SnowNLP(text).sentiments for _, text in documents[::2]
    ]


def test_words_many_segments_each_run_once_consistently() -> None:
    model = default_model()
    text = "\n".join(COMPLAINTS)
    together = model.words_many([text, *COMPLAINTS, text])
    assert together == [model.words_many([t])[0] for t in [text, *COMPLAINTS, text]]
    assert together[0] == snownlp.sentiment.classifier.handle(text)


def test_model_file_is_package_data(tmp_path: Path) -> None:
    """setuptools' build_py (what an install copies) carries the model, and the copy loads."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "analysis", source / "analysis", ignore=shutil.ignore_patterns("*.pyc"))
    for stale in (source / "analysis" / "sentiment" / "data").glob("*.md"):
        stale.unlink()  # only what package_data names may reach the build
    build = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q",
         "build_py", "--build-lib", str(build)],
        cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    assert (build / "analysis" / "sentiment" / "data" / "domain.marshal.gz").is_file()
    check = (
        "import analysis.sentiment.shipped as s; m = s.shipped_model(); "
        "print(m.model_file); print(m.classifier().vocabulary_size)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path,
        env={"PYTHONPATH": str(build), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    location, vocabulary = result.stdout.split()
    assert Path(location).is_relative_to(build)
    assert int(vocabulary) == shipped_model().classifier().vocabulary_size


def test_analyse_article_keeps_the_snownlp_sentiment_contract() -> None:
    from analysis.analyse import AnalysisOptions, analyse_article
    from analysis.model import Article

    article = Article(title="市民投诉12345热线推诿扯皮", text="\n".join(COMPLAINTS + OFFICIAL[:2]))
    analysis = analyse_article(article, AnalysisOptions())
    assert analysis.sentiment == snownlp.SnowNLP(article.text).sentiments
    assert negativity_band(analysis.negativity) == "负面"  # damage, not tone
