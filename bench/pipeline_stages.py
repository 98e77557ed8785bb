"""Where an inline ``hotwatch crawl`` spends its CPU, stage by stage, from a cProfile dump.

Used by ``bench/pipeline.py``: the inline crawl (``analysis_workers = 0``) is run once
more under cProfile and each stage's cumulative time is read from the functions that
do it. The profiler slows Python-heavy code more than C code, so the table gives each
stage's share of the profiled run and that share of the unprofiled inline CPU time.
"""

from __future__ import annotations

import pstats
from pathlib import Path

# (stage, [(path suffix, function), ...]); the first matching entries are summed.
STAGES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "extraction (decode, boilerplate, dates)",
        [("crawler/pagework.py", "decode_and_extract")],
    ),
    # One compiled call per text (sums.py) when the extension is built; else the words
    # (words_many) and the Bayes sums, both inside score_many.
    ("sentiment (SnowNLP words and Bayes sums)", [("analysis/sentiment/model.py", "score_many")]),
    (
        "judgement (n-grams, relevance, damage, category)",
        [
            ("analysis/judgement/ngrams.py", "model_text"),
            ("analysis/judgement/ngrams.py", "ngram_counts"),
            ("analysis/relevance.py", "judge_relevance"),
            ("analysis/sentiment/damage.py", "damage_score"),
            ("analysis/categorise.py", "ranked_categories"),
        ],
    ),
    (
        "tags and rule evidence",
        [
            ("analysis/tags/hotlines.py", "hotlines"),
            ("analysis/tags/categories.py", "categories"),
            ("analysis/tags/categories.py", "scored_categories"),
            ("analysis/tags/regions.py", "regions"),
            ("analysis/relevance.py", "gather_evidence"),
        ],
    ),
    (
        # Search commits come from the store pipeline's timer as often as from its
        # batches (all of them in an inline crawl, whose batches fill slower than 5 s).
        "store writes (batched) and search commits",
        [
            ("crawler/pipelines/store.py", "flush"),
            ("crawler/pipelines/store.py", "commit_search@maybeDeferred"),
            ("index/sqlite.py", "close@close_spider"),
        ],
    ),
    ("incidents (placement after the crawl)", [("index/incidents.py", "update_incidents")]),
]
SCRAPY_STAGE = "Scrapy: fetch, parse, schedule, middlewares"


def stage_seconds(profile: Path) -> tuple[dict[str, float], float]:
    """Profiled seconds per stage (the rest is Scrapy's) and the profile's total."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in stats.values())
    out: dict[str, float] = {}
    for stage, functions in STAGES:
        out[stage] = sum(_cumulative(stats, path, name) for path, name in functions)
    out[SCRAPY_STAGE] = max(total - sum(out.values()), 0.0)
    return out, total


def _cumulative(stats: dict, path: str, name: str) -> float:
    function, _, caller = name.partition("@")
    seconds = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, cumulative, callers) in stats.items():
        if func != function or not filename.replace("\\", "/").endswith(path):
            continue
        if caller:
            cumulative = sum(value[3] for key, value in callers.items() if key[2] == caller)
        seconds += cumulative
    return seconds


def print_stages(profile: Path, inline_cpu: float, articles: int) -> None:
    seconds, total = stage_seconds(profile)
    header = f"{'stage (inline crawl, cProfile)':50} {'share':>6} {'CPU s':>7} {'ms/article':>10}"
    print(header)
    print("-" * len(header))
    for stage, value in seconds.items():
        share = value / total if total else 0.0
        cpu = share * inline_cpu
        print(f"{stage:50} {share:6.1%} {cpu:7.1f} {cpu / max(articles, 1) * 1000:10.2f}")
    print(
        f"(profiled run {total:.1f} s; shares applied to the unprofiled inline CPU"
        f" {inline_cpu:.1f} s)"
    )
