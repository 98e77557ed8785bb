"""analysis.sentiment: bit identity with SnowNLP, the table cache, document negativity."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from analysis.sentiment import document_negativity, snownlp_sentiment
from analysis.sentiment.model import SentimentModel, default_model, reset_default_model
from analysis.sentiment.negativity import split_sentences
from analysis.sentiment.tables import cache_path, model_files

snownlp = pytest.importorskip("snownlp")

COMPLAINT = (
    "市民多次拨打12345热线反映小区噪音扰民问题，接线员态度恶劣，工单被直接办结，"
    "问题三个月没有解决，投诉无门，非常失望和愤怒。"
)
PRAISE = "12345热线工作人员耐心细致，问题当天就得到解决，服务非常好，市民十分满意，点赞感谢！"

# Characters in SnowNLP's Han range that its tagger never saw (the "not found" branch).
UNSEEN = "丂丄丅丆龘齉苌奅搡満硊舠譊锓鸝"

INLINE_TEXTS = [
    "",
    " ",
    "。。。！？",
    "，、；：",
    "12345",
    "12345热线",
    "hello world",
    "abc123 热线 def",
    "我",
    "好",
    "的",
    "哈哈哈哈哈哈哈哈哈哈",
    "热线热线热线热线热线热线",
    "打不通打不通打不通",
    "１２３４５热线，ＡＢＣ！",
    "𠀀𠀁龘齉😀🙂热线",
    "㐀㐁䶵鿿",
    "丂丄丅丆",
    "憩苌腔",
    "苌热线",
    "热苌线",
    "热线苌",
    "苌苌热线服务苌",
    "\n\t热线\r\n服务\u3000差",
    "政府热线打不通，投诉无门，非常失望！",
    "服务态度很好，问题很快解决了，非常满意。",
    COMPLAINT,
    PRAISE,
    "这家酒店的房间很大，但是早餐很一般，前台服务态度也不太好。",
    "12345热线 2024年3月 接到 1,234 件 投诉（同比增长 12.5%）",
]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> SentimentModel:
    """The default model (cached tables are built once per machine)."""
    return default_model()


def reference(text: str) -> float:
    """``SnowNLP(text).sentiments``; for "" (where its BM25 setup divides by zero) the
    classifier it would call, ``snownlp.sentiment.classify``."""
    if not text:
        with pytest.raises(ZeroDivisionError):
            snownlp.SnowNLP(text).sentiments  # noqa: B018
        return snownlp.sentiment.classify(text)
    return snownlp.SnowNLP(text).sentiments


@pytest.mark.parametrize("text", INLINE_TEXTS)
def test_bit_identical_inline(model: SentimentModel, text: str) -> None:
    assert model.score(text) == reference(text)
    assert snownlp_sentiment(text) == reference(text)


def test_segmentation_matches(model: SentimentModel) -> None:
    from snownlp import seg

    for text in INLINE_TEXTS:
        assert model.segment(text) == seg.seg(text)


def test_segmentation_fuzz_with_unseen_characters(model: SentimentModel) -> None:
    from snownlp import seg

    rng = random.Random(7)
    alphabet = COMPLAINT + PRAISE + UNSEEN + "".join(chr(0x4E00 + 37 * k) for k in range(500))
    han = "".join(c for c in alphabet if "\u4e00" <= c <= "\u9fa5")
    runs = ["".join(rng.choice(han) for _ in range(rng.randint(1, 60))) for _ in range(500)]
    assert model._segment_runs(runs) == [seg.single_seg(run) for run in runs]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "numpy"])
def test_both_decoders_segment_like_snownlp(model: SentimentModel, compiled: bool) -> None:
    """The compiled decoder (built on install) and the numpy one it falls back to."""
    from snownlp import seg

    from analysis.sentiment import decode

    if compiled:
        assert decode.segment_tags is not None, "analysis/sentiment/_viterbi.pyx is not built"
    rng = random.Random(11)
    han = "".join(c for c in COMPLAINT + PRAISE + UNSEEN if "\u4e00" <= c <= "\u9fa5")
    runs = ["".join(rng.choice(han) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    runs += ["热", "苌", "苌苌", "热线", "热苌", "苌热线", "热线服务质量问题一直没有得到解决" * 9]
    runs = sorted(set(runs), key=len, reverse=True)
    words = decode.segment_sorted(model._tables, runs, compiled=compiled)
    assert words == [seg.single_seg(run) for run in runs]


def test_long_text_bit_identical(model: SentimentModel) -> None:
    text = (COMPLAINT + PRAISE + "市民反映情况后没有回音") * 40
    text = text[:3000]
    assert len(text) == 3000
    assert model.score(text) == reference(text)
    one_run = "热线服务质量问题一直没有得到解决" * 40  # one 640-char CJK run
    assert model.score(one_run) == reference(one_run)


def random_text(rng: random.Random, pool: str) -> str:
    kind = rng.random()
    n = rng.choice([1, 2, 3, 5, 10, 30, 80, 200])
    if kind < 0.5:
        start = rng.randrange(len(pool))
        return pool[start : start + n]
    alphabet = pool + "，。！？ abcXYZ0123456789１２热線\n\t😀𠀀" + UNSEEN * 3
    return "".join(rng.choice(alphabet) for _ in range(n))


def test_randomized_bit_identity(model: SentimentModel) -> None:
    rng = random.Random(12345)
    pool = (COMPLAINT + PRAISE + "".join(INLINE_TEXTS)) * 3
    texts = [random_text(rng, pool) for _ in range(300)]
    texts += [
        "".join(rng.choice(UNSEEN + "热线服务很差好的了") for _ in range(8)) for _ in range(100)
    ]
    batch = model.score_many(texts)
    for text, score in zip(texts, batch, strict=True):
        expected = reference(text)
        assert score == expected, text
        assert model.score(text) == expected, text


def test_compiled_sums_equal_the_python_path(model: SentimentModel) -> None:
    """The compiled text-to-sums call (used when built) against the Python split, words,
    stop-word filter and dict sums it replaces, for the bundled and the domain classifier."""
    from analysis.sentiment import domain_model
    from analysis.sentiment.sums import CompiledSums

    assert CompiledSums.available(model.classifier), "analysis/sentiment/_viterbi.pyx is not built"
    rng = random.Random(99)
    pool = (COMPLAINT + PRAISE + "".join(INLINE_TEXTS)) * 3
    texts = INLINE_TEXTS + [random_text(rng, pool) for _ in range(400)]
    texts += ["\u3000".join(INLINE_TEXTS), "\x1c热线\x85服务\u2029差\xa0ok\u200b好"]
    for scorer in (model, domain_model()):
        compiled = scorer._compiled_sums()
        assert compiled is not None
        for text, words in zip(texts, scorer.words_many(texts), strict=True):
            assert compiled.score(text) == scorer.classifier.classify(words), text


def test_compiled_whitespace_is_str_isspace() -> None:
    """``bayes_sums`` cuts the non-Han parts where ``str.split()`` does."""
    viterbi = pytest.importorskip("analysis.sentiment._viterbi")
    assert [c for c in range(0x110000) if viterbi.is_space(c) != chr(c).isspace()] == []


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SentimentModel]:
    """A cache directory whose tables were built from scratch (one real build)."""
    cache_dir = tmp_path_factory.mktemp("sentiment-cache")
    return cache_dir, SentimentModel.from_snownlp(cache_dir=cache_dir)


def test_cache_round_trip(built_cache: tuple[Path, SentimentModel]) -> None:
    cache_dir, built = built_cache
    assert built.build_seconds is not None
    assert cache_path(cache_dir, model_files().cache_key()).exists()
    assert not list(cache_dir.glob("*.tmp"))  # atomic write left no temporary file
    loaded = SentimentModel.from_snownlp(cache_dir=cache_dir)
    assert loaded.build_seconds is None
    assert loaded.load_seconds is not None
    for text in INLINE_TEXTS[-6:]:
        assert loaded.score(text) == built.score(text) == reference(text)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_cache_is_rebuilt(
    built_cache: tuple[Path, SentimentModel],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    """A damaged cache file is detected and rebuilt (the slow build itself is replaced
    by copying the good file, which test_cache_round_trip built for real)."""
    import analysis.sentiment.model as model_module

    key = model_files().cache_key()
    good = cache_path(built_cache[0], key).read_bytes()
    path = cache_path(tmp_path, key)
    path.write_bytes(
        {"truncate": good[: len(good) // 2], "garbage": b"not a zip", "empty": b""}[damage]
    )
    builds: list[Path] = []

    def fake_build(model_path: object, out: Path, cache_key: str) -> None:
        assert cache_key == key
        builds.append(out)
        out.write_bytes(good)

    monkeypatch.setattr(model_module, "_build_cache", fake_build)
    rebuilt = SentimentModel.from_snownlp(cache_dir=tmp_path)
    assert builds == [path]
    assert rebuilt.build_seconds is not None
    assert rebuilt.score(COMPLAINT) == reference(COMPLAINT)


def test_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.sentiment.tables import default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "hotwatch"


def test_reset_default_model() -> None:
    first = default_model()
    reset_default_model()
    second = default_model()
    assert first is not second
    assert second.score(COMPLAINT) == reference(COMPLAINT)


def test_negativity_range_and_order() -> None:
    complaint = document_negativity("12345热线打不通，市民投诉无门", COMPLAINT)
    praise = document_negativity("12345热线获市民点赞", PRAISE)
    neutral = document_negativity("", "")
    assert 0.0 <= praise < 0.5 < complaint <= 1.0
    assert neutral == 0.5


def test_negativity_long_text_does_not_saturate() -> None:
    body = "\n".join([COMPLAINT, PRAISE, "会议于上午九点在市政府召开。"] * 200)
    value = document_negativity("市民热线情况通报", body)
    assert 0.05 < value < 0.95


def test_split_sentences_skips_short() -> None:
    assert split_sentences("好。热线打不通！？\n\n1.；服务差劲了") == ["热线打不通", "服务差劲了"]


def test_score_many_in_small_batches(
    model: SentimentModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.sentiment.model as model_module

    texts = [COMPLAINT, "", PRAISE, "热线" * 30, "abc", COMPLAINT + PRAISE] * 3
    expected = [model.score(text) for text in texts]
    monkeypatch.setattr(model_module, "BATCH_CHARS", 40)
    assert model.score_many(texts) == expected
    assert expected[0] == reference(COMPLAINT)
