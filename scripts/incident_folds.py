"""Incident grouping on held-out events of the dev split: pairwise P/R/F1 over folds.

Usage: python scripts/incident_folds.py [--labels FILE] [--folds 5,2]

Reads the DEV split of the real-page set only (never the test split): the pages read
as relevant, in Chinese. Events are dealt into folds by a hash of their key; each
fold's pages are grouped among themselves (``assign_incidents``, oldest first, as a
store places them) and the pairs are counted over all folds. Fewer folds put more
events side by side. Run twice per fold count: with the pages' dates, and with every
event moved to start on one day of a 60-day window (its own gaps kept), as in a store,
where events run side by side rather than years apart as the labelled ones do.

A placement that learns from labels (a model) must be fitted on the other folds; the
hand rules fit nothing, but were written seeing many of these pages, so their figures
here are not held out in the sense a model's would be.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import replace
from datetime import datetime, timedelta

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.evaluation.metrics import same_group_pairs
from analysis.evaluation.real import page_features
from analysis.evaluation.realpages import LabelledPage, load_pages
from analysis.incidents import IncidentFeatures, assign_incidents
from analysis.model import Article
from analysis.tags.language import reads_as_chinese

WINDOW_DAYS = 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", help="our label file (default: the bundled one)")
    parser.add_argument("--folds", default="5,2", help="fold counts, comma-separated")
    args = parser.parse_args()
    found = load_pages("dev", path=args.labels)
    pages = [
        p
        for p in found.pages
        if p.relevant and p.incident and reads_as_chinese(f"{p.title}\n{p.text}")
    ]
    if not pages:
        print(f"no relevant dev pages with cached text in {found.cache_dir}", file=sys.stderr)
        return 1
    options = AnalysisOptions()
    docs = [_features(page, options) for page in pages]
    events = [page.incident or page.id for page in pages]
    pairs = len(same_group_pairs(events))
    print(f"dev: {len(pages)} relevant Chinese pages, {len(set(events))} events, {pairs} pairs")
    for dates, placed in (("as dated", docs), ("side by side", _side_by_side(docs, events))):
        for folds in (int(n) for n in args.folds.split(",")):
            right = found_pairs = read_pairs = 0
            for fold in range(folds):
                held = [i for i, event in enumerate(events) if _fold(event, folds) == fold]
                grouped = assign_incidents([placed[i] for i in held])
                ours = same_group_pairs(grouped)
                gold = same_group_pairs([events[i] for i in held])
                right, found_pairs = right + len(ours & gold), found_pairs + len(ours)
                read_pairs += len(gold)
            precision = right / found_pairs if found_pairs else 0.0
            recall = right / read_pairs if read_pairs else 0.0
            f1 = 2 * precision * recall / (precision + recall) if right else 0.0
            print(
                f"{dates:12} {folds} folds: P {precision:.3f} R {recall:.3f} F1 {f1:.3f} "
                f"({right} of {read_pairs} pairs found, {found_pairs} joined)"
            )
    return 0


def _features(page: LabelledPage, options: AnalysisOptions) -> IncidentFeatures:
    return page_features(page, analyse_article(Article(page.title, page.text), options))


def _fold(event: str, folds: int) -> int:
    return int(hashlib.sha1(event.encode("utf-8")).hexdigest()[:8], 16) % folds


def _side_by_side(docs: list[IncidentFeatures], events: list[str]) -> list[IncidentFeatures]:
    """Each event's dated pages moved so that it starts on a day of one window."""
    starts: dict[str, datetime] = {}
    for doc, event in zip(docs, events, strict=True):
        if doc.published_at and (event not in starts or doc.published_at < starts[event]):
            starts[event] = doc.published_at
    moved = []
    for doc, event in zip(docs, events, strict=True):
        if doc.published_at is None:
            moved.append(doc)
            continue
        day = int(hashlib.sha1(event.encode("utf-8")).hexdigest()[8:14], 16) % WINDOW_DAYS
        start = datetime(2024, 1, 1) + timedelta(days=day)
        moved.append(replace(doc, published_at=start + (doc.published_at - starts[event])))
    return moved


if __name__ == "__main__":
    sys.exit(main())
