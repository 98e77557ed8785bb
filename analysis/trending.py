"""Trending terms and incidents: volume that bursts against its own baseline.

Time is cut into windows ending at ``now``: window 0 is the current one, windows
1..``baseline_windows`` before it are the baseline. For each key (a phrase, or an
incident id) the weighted count in window 0 is compared with what its baseline
predicts:

* expected = (baseline sum + ``prior_count``) / (baseline windows + ``prior_windows``),
  a Gamma-Poisson posterior mean, so a key never seen before still expects a little;
* variance = max(Poisson with overdispersion ``E + dispersion·E²``, the baseline's own
  sample variance) + ``variance_floor``;
* score = (count − expected) / √variance.

The variance floor keeps small counts humble (0→2 scores below 1 while 20→200 scores
above 20), and overdispersion keeps an always-frequent key from trending on an
ordinary wobble. A key also needs ``min_docs`` distinct documents in the window.

Each event carries a weight: 1 for an article, more for a social post with a wide
reach (:func:`engagement_weight`), so reposts and comments feed the score.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from analysis.phrases import (
    PhraseOptions,
    PhraseTable,
    Segmenter,
    default_segmenter,
    label,
    word_runs,
)

SAMPLES = 3
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Event:
    """One document at one moment: its text, its weight and an id to cite it by."""

    time: datetime
    text: str
    weight: float = 1.0
    key: str = ""


@dataclass(frozen=True, kw_only=True)
class TrendingOptions:
    window: timedelta = timedelta(hours=24)
    baseline_windows: int = 7
    min_docs: int = 3
    min_score: float = 2.0
    prior_count: float = 1.0
    prior_windows: float = 1.0
    dispersion: float = 0.2
    variance_floor: float = 4.0
    merge_share: float = 0.8
    top: int = 20
    phrases: PhraseOptions = field(default_factory=PhraseOptions)

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")
        if self.baseline_windows < 1 or self.top < 1 or self.min_docs < 1:
            raise ValueError("baseline_windows, top and min_docs must be at least 1")
        if self.prior_windows <= 0 or self.variance_floor <= 0 or self.dispersion < 0:
            raise ValueError("prior_windows and variance_floor must be > 0, dispersion >= 0")

    def lookback(self) -> timedelta:
        """How far back events are needed: the window and its baseline."""
        return self.window * (self.baseline_windows + 1)


@dataclass
class Burst:
    """A key's volume now against its baseline; ``samples`` are its heaviest window events
    (newest first among equals); ``first_seen`` is the earliest event within the lookback."""

    key: str
    count: float
    docs: int
    baseline: float
    expected: float
    score: float
    first_seen: datetime
    samples: list[str] = field(default_factory=list)
    documents: frozenset[str] = frozenset()  # keys of the window's documents

    @property
    def growth(self) -> float:
        """Current count over the baseline's mean per window, each plus one."""
        return (self.count + 1.0) / (self.baseline + 1.0)


def engagement_weight(reach: int) -> float:
    """1 for no engagement, +1 per tenfold reach: 10 → 2, 1,000 → 4, 100,000 → 6."""
    return 1.0 + math.log10(1 + max(reach, 0))


def burst_score(count: float, baseline: Sequence[float], options: TrendingOptions) -> float:
    expected = expected_count(baseline, options)
    return (count - expected) / math.sqrt(_variance(baseline, expected, options))


def expected_count(baseline: Sequence[float], options: TrendingOptions) -> float:
    return (sum(baseline) + options.prior_count) / (len(baseline) + options.prior_windows)


def window_index(moment: datetime, now: datetime, options: TrendingOptions) -> int | None:
    """0 for the current window, 1.. for the baseline windows, None outside them."""
    if moment >= now:
        return None
    index = int((now - moment) / options.window)
    return index if index <= options.baseline_windows else None


def trending_keys(
    events: Iterable[tuple[Event, Iterable[str]]], now: datetime, options: TrendingOptions
) -> list[Burst]:
    """Keys whose window volume bursts, highest score first (all of them, not only ``top``)."""
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * (options.baseline_windows + 1))
    window_events: dict[str, list[Event]] = defaultdict(list)
    first_seen: dict[str, datetime] = {}
    for event, keys in events:
        index = window_index(event.time, now, options)
        if index is None:
            continue
        for key in keys:
            counts[key][index] += event.weight
            if key not in first_seen or event.time < first_seen[key]:
                first_seen[key] = event.time
            if index == 0:
                window_events[key].append(event)
    bursts = []
    for key, window in window_events.items():
        docs = len({e.key or id(e) for e in window})
        series = counts[key]
        if docs < options.min_docs:
            continue
        score = burst_score(series[0], series[1:], options)
        if score < options.min_score:
            continue
        heaviest = sorted(window, key=lambda e: (-e.weight, -e.time.timestamp()))
        bursts.append(
            Burst(
                key=key,
                count=round(series[0], 3),
                docs=docs,
                baseline=round(sum(series[1:]) / options.baseline_windows, 3),
                expected=round(expected_count(series[1:], options), 3),
                score=round(score, 3),
                first_seen=first_seen[key],
                samples=list(dict.fromkeys(e.key for e in heaviest if e.key))[:SAMPLES],
                documents=frozenset(e.key for e in window if e.key),
            )
        )
    return sorted(bursts, key=lambda b: (-b.score, -b.count, b.key))


def trending_terms(
    events: Sequence[Event],
    now: datetime,
    options: TrendingOptions,
    segment: Segmenter | None = None,
) -> list[Burst]:
    """Phrases that burst in the window, overlapping parts joined, contained ones merged away."""
    segment = segment or default_segmenter()
    table = PhraseTable(options.phrases)
    runs = _memo(lambda text: word_runs(text, segment))  # reposts repeat their text
    grams = [table.add(runs(event.text)) for event in events]
    phrase = _memo(table.is_phrase)
    keyed = (
        (event, {label(g) for g in doc_grams if phrase(g)})
        for event, doc_grams in zip(events, grams, strict=True)
    )
    bursts = trending_keys(keyed, now, options)
    texts = {event.key: event.text for event in events if event.key}
    return merge_contained(join_overlapping(bursts, texts), options)[: options.top]


def join_overlapping(bursts: list[Burst], texts: dict[str, str]) -> list[Burst]:
    """Join two phrases of the same documents that overlap (``接线员忘挂`` + ``忘挂电话`` →
    ``接线员忘挂电话``) when every one of those documents has the joined text."""
    groups: dict[frozenset[str], list[Burst]] = defaultdict(list)
    for burst in bursts:
        groups[burst.documents].append(burst)
    out: list[Burst] = []
    for documents, group in groups.items():
        out += _join_group(group, [texts.get(doc, "") for doc in documents])
    best: dict[str, Burst] = {}  # two groups may join into the same text: keep the better
    for burst in sorted(out, key=lambda b: (-b.score, -b.count, b.key)):
        best.setdefault(burst.key, burst)
    return list(best.values())


def _join_group(group: list[Burst], texts: list[str]) -> list[Burst]:
    joined = True
    while joined and len(group) > 1 and texts:
        joined = False
        for first, second in itertools.permutations(group, 2):
            text = _overlap_join(first.key, second.key)
            if text and all(text in doc_text for doc_text in texts):
                group = [b for b in group if b is not first and b is not second]
                group.append(replace(first, key=text))
                joined = True
                break
    return group


def merge_contained(bursts: list[Burst], options: TrendingOptions) -> list[Burst]:
    """Drop a phrase found inside a longer trending phrase that covers (nearly) its documents."""
    kept = []
    for burst in bursts:
        covered = any(
            burst.key != other.key
            and burst.key in other.key
            and other.docs >= options.merge_share * burst.docs
            for other in bursts
        )
        if not covered:
            kept.append(burst)
    return kept


def _overlap_join(left: str, right: str) -> str | None:
    """``left`` continued by ``right`` where a suffix of one (2+ characters) starts the other."""
    for size in range(min(len(left), len(right)) - 1, 1, -1):
        if left.endswith(right[:size]):
            return left + right[size:]
    return None


def _variance(baseline: Sequence[float], expected: float, options: TrendingOptions) -> float:
    poisson = expected + options.dispersion * expected * expected
    return max(poisson, _sample_variance(baseline)) + options.variance_floor


def _sample_variance(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _memo(function: Callable[[K], V]) -> Callable[[K], V]:
    """``function`` with its results kept for the duration of one call of the caller."""
    results: dict[K, V] = {}

    def memoised(argument: K) -> V:
        if argument not in results:
            results[argument] = function(argument)
        return results[argument]

    return memoised
