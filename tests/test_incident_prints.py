"""Incident fingerprints made with the analysis are stored with the document and read, not
recomputed, when the document is placed; one made from other text is never used."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from analysis.incidents import text_fingerprint
from analysis.incidents.prints import fingerprint_json, stored_fingerprint
from index.incidents import update_incidents
from tests.store_backends import BACKENDS, backend_store
from tests.test_incidents import OTHER_CITY, STORY, _stored, _stored_corpus


def test_the_stored_form_gives_back_the_fingerprint_of_the_text():
    title, text = STORY
    prints = stored_fingerprint(fingerprint_json(title, text), title, text)
    expected = text_fingerprint(title, text)
    assert prints is not None
    assert np.array_equal(prints.signature, expected.signature)
    assert prints.signature.dtype == expected.signature.dtype
    assert prints.bigrams == expected.bigrams and prints.clues == expected.clues
    assert expected.bigrams and expected.clues  # the story has both, so both were carried


def test_a_fingerprint_of_other_text_is_not_used():
    stored = fingerprint_json(*STORY)
    assert stored_fingerprint(stored, STORY[0], STORY[1] + "（更新）") is None
    assert stored_fingerprint(stored, "另一个标题", STORY[1]) is None
    assert stored_fingerprint(None, *STORY) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_placing_reads_the_stored_fingerprint(tmp_path: Path, backend: str):
    """Two unrelated reports, the second stored with the first one's fingerprint (made out
    to its own text): placing takes the stored one, so the second joins the first as a
    near-duplicate; stored with its own, it stays apart."""
    first = _stored("https://news.example.cn/zz-story", STORY, 0)
    borrowed = {**fingerprint_json(*STORY), "of": fingerprint_json(*OTHER_CITY)["of"]}
    for prints, together in ((borrowed, True), (fingerprint_json(*OTHER_CITY), False)):
        second = _stored("https://cs.example.cn/unreachable", OTHER_CITY, 0.5, fingerprint=prints)
        with backend_store(backend, tmp_path / str(together), "prints") as store:
            store.upsert_many([first, second])
            update_incidents(store)
            assert store.get(second.id).fingerprint == prints  # kept as written
            ids = {doc.url: doc.incident_id for doc in store.iter_documents()}
        assert (ids[first.url] == ids[second.url]) is together, ids


@pytest.mark.parametrize("backend", BACKENDS)
def test_stored_fingerprints_place_documents_as_computed_ones_do(tmp_path: Path, backend: str):
    def placed(docs: list, label: str) -> dict[str, str | None]:
        with backend_store(backend, tmp_path / label, label) as store:
            store.upsert_many(docs)
            update_incidents(store)
            return {doc.url: doc.incident_id for doc in store.iter_documents()}

    corpus = _stored_corpus()
    printed = [
        dataclasses.replace(doc, fingerprint=fingerprint_json(doc.title, doc.text))
        if doc.relevant
        else doc
        for doc in corpus
    ]
    assert any(doc.fingerprint for doc in printed)
    computed = placed(corpus, "computed")
    assert len(set(computed.values()) - {None}) >= 2
    assert placed(printed, "stored") == computed


def test_the_public_json_of_a_document_leaves_the_fingerprint_out():
    doc = _stored("https://news.example.cn/zz-story", STORY, 0, fingerprint=fingerprint_json(*STORY))
    assert "fingerprint" not in doc.to_json()
