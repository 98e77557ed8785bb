"""The shared-vocabulary scoring gives what the per-gram formula gives, for any text."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from analysis.judgement import load_model, model_text, ngram_counts
from analysis.judgement.classes import load_class_model
from analysis.judgement.ngrams import sublinear_tf
from analysis.judgement.vocabulary import SHARED

TEXTS = [
    "",
    "热",
    "新乡一市民拨打12345热线反映问题 接线员忘挂电话骂其“不要脸”",
    "市民反映：12345热线打不通，多次拨打无人接听，投诉后被推诿。" * 40,
    "𠀀𠀁 astral 𪚥 and a lone \udc80 surrogate, 熱線 traditional",
]


def per_gram_logit(model, counts: Counter[str]) -> float:
    """The model's n-gram part computed gram by gram, as the TF-IDF formula reads."""
    pairs = [
        (
            sublinear_tf(count) * model.idf[model.vocabulary[gram]],
            model.weights[model.vocabulary[gram]],
        )
        for gram, count in counts.items()
        if gram in model.vocabulary
    ]
    norm = math.sqrt(sum(v * v for v, _ in pairs)) or 1.0
    return sum(v * w for v, w in pairs) / norm + model.intercept


@pytest.mark.parametrize("text", TEXTS)
def test_lookup_from_text_finds_what_the_counts_hold(text):
    for name in ("relevance", "damage"):  # registering their vocabularies
        load_model(name).logit(Counter(), {})
    load_class_model("category").logits(Counter(), {})
    counts = ngram_counts(text)
    from_text = found(SHARED.lookup(counts))
    assert from_text == found(SHARED.lookup(Counter(counts)))  # a plain mapping: dict path
    assert len(from_text) > 0 or not text


def found(lookup) -> list[tuple[int, float]]:
    ids, tf = lookup
    return sorted(zip(ids.tolist(), tf.tolist(), strict=True))


@pytest.mark.parametrize("text", TEXTS)
def test_models_score_as_the_per_gram_formula(text):
    counts = ngram_counts(model_text("12345热线", text))
    for name in ("relevance", "damage"):
        model = load_model(name)
        assert abs(model.logit(counts, {}) - per_gram_logit(model, counts)) < 1e-9
    category = load_class_model("category")
    logits = category.logits(counts, {})
    assert set(logits) == set(category.classes)


@pytest.mark.parametrize("text", TEXTS)
def test_counts_read_later_are_every_gram(text):
    """The counts are made when first read, and are then all the 1-, 2- and 3-grams."""
    expected = Counter(text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1))
    assert ngram_counts(text) == expected
    assert dict(ngram_counts(text).items()) == dict(expected)
    assert sorted(ngram_counts(text)) == sorted(expected)
    assert len(ngram_counts(text)) == len(expected)
    assert Counter(ngram_counts(text)) == expected
    assert ngram_counts(text).most_common(3) == expected.most_common(3)
    counts = ngram_counts(text)
    SHARED.lookup(counts)  # scoring does not count
    assert counts == expected


@pytest.mark.parametrize("text", [*TEXTS, "热线热线热线", "abcabcabc" * 50])
def test_compiled_lookup_equals_the_numpy_one(text):
    """The hashed lookup (built on install) gives the numpy lookup's ids, counts and order:
    the order is the order scores are summed in."""
    from analysis.judgement import vocabulary

    assert vocabulary.GramIndex is not None, "analysis/judgement/_grams.pyx is not built"
    for name in ("relevance", "damage"):
        load_model(name).logit(Counter(), {})
    hashed, numpy = SHARED._lookup_text(text), SHARED._lookup_sorted(text)
    assert SHARED._index is not None
    assert hashed[0].tolist() == numpy[0].tolist()
    assert hashed[1].tolist() == numpy[1].tolist()


def test_gram_index_rejects_unsorted_keys():
    from analysis.judgement import vocabulary

    if vocabulary.GramIndex is None:
        pytest.skip("analysis/judgement/_grams.pyx is not built")
    with pytest.raises(ValueError, match="sorted"):
        vocabulary.GramIndex(np.array([5, 3], dtype=np.int64))


def test_gram_keys_of_many_grams_are_each_grams_key():
    from analysis.judgement.vocabulary import gram_key, gram_keys

    grams = ["a", "热线", "12345"[:3], "𠀀a", "\x00", "\x00\x00", "熱線電", "\udc80x"]
    assert gram_keys(grams).tolist() == [gram_key(gram) for gram in grams]
    assert gram_keys([]).tolist() == []


def test_shared_keys_are_sorted_and_name_their_grams():
    """Registered model by model, the keys stay sorted and each one's id is its gram's."""
    from analysis.judgement.vocabulary import gram_key

    for name in ("relevance", "damage"):
        load_model(name).logit(Counter(), {})
    load_class_model("category").logits(Counter(), {})
    keys, ids = SHARED._keys, SHARED._key_ids
    assert np.all(keys[1:] > keys[:-1])
    grams = {i: gram for gram, i in SHARED.ids.items()}
    sample = range(0, len(keys), 997)
    assert [gram_key(grams[int(ids[k])]) for k in sample] == [int(keys[k]) for k in sample]
