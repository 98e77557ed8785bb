"""An incident's running sums (``index.incident_summary``) equal a summary from scratch."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from index.incident_records import incident_record
from index.incident_summary import IncidentSummary
from tests.test_incremental_incidents import NOW, story_corpus


def test_folding_reports_in_any_order_gives_the_same_summary_and_record():
    docs = story_corpus()
    in_order = IncidentSummary.of(docs)
    for seed in range(5):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        summary = IncidentSummary.of(shuffled)
        assert summary.to_json() == in_order.to_json()
        again = IncidentSummary.from_json(summary.to_json())
        assert again.record("inc-x", last_24h=0) == in_order.record("inc-x", last_24h=0)
    record = in_order.record("inc-x", last_24h=0)
    assert record.first_url == docs[0].url
    assert record.documents == len(docs)
    assert record == incident_record("inc-x", docs, now=NOW)


def test_reports_of_the_last_24_hours_are_counted_from_the_kept_times():
    docs = story_corpus()
    newest = max(d.published_at for d in docs if d.published_at)
    late = [replace(docs[0], url=f"https://late.example.cn/{n}") for n in range(3)]
    for n, doc in enumerate(late):
        doc.published_at = newest + timedelta(hours=10 * n)  # 0, 10 and 20 h after
    summary = IncidentSummary.of(docs + late)
    last = newest + timedelta(hours=20)
    assert summary.recent_count(last + timedelta(hours=1)) == 4  # with the newest before
    assert summary.recent_count(last + timedelta(hours=15)) == 1
    assert summary.recent_count(last + timedelta(days=3)) == 0
    assert summary.recent_count(last - timedelta(hours=1)) is None  # older ones may count
    now = last + timedelta(hours=15)
    assert (
        incident_record("i", docs + late, now=now).reasons
        == summary.record("i", last_24h=1).reasons
    )
