"""SnowNLP sentiment: ours beside SnowNLP itself, on the same corpus, in the same run.

Usage: python bench/sentiment.py [--n 2000] [--documents 500] [--shared ../shared] [--seed 7]

The corpus is N texts whose lengths are log-uniform in 20..3,000 characters, cut from
consecutive real reviews/posts of ``shared/data/sentiment/*.csv`` (read in place,
never copied) or, without them, from generated text. Every text is scored by both;
the maximum absolute difference must be 0.0. Speeds are per CPU second of this
(single-threaded) process, with wall clock beside them; the three scorers are timed
in interleaved blocks of BLOCK texts so that other load on a shared machine affects
them alike. Build time is wall clock of a first build (in a child process) into an
empty temporary cache directory; load time is the next load from that cache.

Per-document analysis: for the first DOCUMENTS texts of the corpus (mixed lengths),
the sentiment part of ``analyse_article`` before (``document_negativity`` with SnowNLP's
model, then ``snownlp_sentiment``: two segmentations) and after (``score_document``:
the domain model's negativity and the SnowNLP sentiment from one segmentation), with
the same two-call path on the domain model in between to separate the two changes.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.model import Article
from analysis.sentiment.model import SentimentModel, domain_model
from analysis.sentiment.negativity import (
    NegativityModel,
    default_negativity_model,
    document_negativity,
    document_sentiments,
    score_document,
    snownlp_negativity_model,
)
from analysis.sentiment.tables import cache_path, load_tables, model_files

T = TypeVar("T")
BLOCK = 50  # texts per interleaved timing block
MIN_CHARS, MAX_CHARS = 20, 3000
FALLBACK_WORDS = (
    "市民 反映 热线 电话 打不通 接线员 态度 恶劣 工单 办结 问题 没有 解决 投诉 满意 感谢 服务 "
    "耐心 及时 回复 部门 推诿 扯皮 小区 噪音 停水 物业 政府 整改 通报 道歉 很好 非常 失望"
).split()


def real_texts(shared: Path) -> list[str]:
    folder = shared / "data" / "sentiment"
    texts: list[str] = []
    for name, column in (
        ("weibo-emotion-dev.csv", "text"),
        ("ChnSentiCorp_htl_all.csv", "review"),
        ("waimai_10k.csv", "review"),
    ):
        path = folder / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                texts += [row[column] for row in csv.DictReader(handle) if row[column]]
    return texts


def generated_texts(rng: random.Random, count: int) -> list[str]:
    punctuation = "，，，。！？、"
    return [
        "".join(
            rng.choice(FALLBACK_WORDS) + rng.choice(punctuation) for _ in range(rng.randint(3, 40))
        )
        for _ in range(count)
    ]


def build_corpus(n: int, shared: Path, seed: int) -> tuple[list[str], str]:
    rng = random.Random(seed)
    pool = real_texts(shared)
    source = f"real texts from {shared / 'data' / 'sentiment'}"
    if not pool:
        pool, source = generated_texts(rng, 5000), "generated text (no shared data found)"
    rng.shuffle(pool)
    corpus, cursor = [], 0
    for _ in range(n):
        target = int(math.exp(rng.uniform(math.log(MIN_CHARS), math.log(MAX_CHARS))))
        text = ""
        while len(text) < target:
            text += pool[cursor % len(pool)]
            cursor += 1
        corpus.append(text[:target])
    return corpus, source


class Clock:
    """Accumulated process CPU time and wall time of the calls it runs."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def run(self, function: Callable[..., T], *args: object) -> T:
        cpu, wall = time.process_time(), time.perf_counter()
        result = function(*args)
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        return result


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(function: Callable[..., T], *args: object) -> tuple[T, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--documents", type=int, default=500)
    args = parser.parse_args()

    corpus, source = build_corpus(args.n, args.shared, args.seed)
    chars = sum(map(len, corpus))
    spread = f"{min(map(len, corpus))}..{max(map(len, corpus))}"
    print(f"corpus: {len(corpus)} texts, {chars:,} chars ({spread} each), {source}")

    with tempfile.TemporaryDirectory() as cache:
        _, build_s = timed(SentimentModel.from_snownlp, None, cache)
        rss_before = rss_mb()
        model, load_s = timed(SentimentModel.from_snownlp, None, cache)
        rss_after = rss_mb()
        key = model_files().cache_key()
        tables = load_tables(cache_path(Path(cache), key), key)
    print(f"first build (child process): {build_s:.2f} s; load from cache: {load_s * 1000:.0f} ms")
    arrays = f"{tables.nbytes() / 1e6:.1f} MB of arrays" if tables else "?"
    print(f"tables: {arrays}; RSS +{rss_after - rss_before:.1f} MB for the loaded model")
    del tables

    model.score_many(corpus[:20])  # warm caches
    from snownlp import SnowNLP  # imported late: it loads ~500 MB of models

    clocks = {name: Clock() for name in ("SnowNLP", "ours, one by one", "ours, score_many")}
    ours: list[float] = []
    batch: list[float] = []
    theirs: list[float] = []
    # Interleaved blocks, so a change in the machine's load hits all three alike.
    for block in range(0, len(corpus), BLOCK):
        texts = corpus[block : block + BLOCK]
        ours += clocks["ours, one by one"].run(lambda t=texts: [model.score(x) for x in t])
        batch += clocks["ours, score_many"].run(model.score_many, texts)
        theirs += clocks["SnowNLP"].run(lambda t=texts: [SnowNLP(x).sentiments for x in t])

    print(f"{'':>22} {'texts/s':>10} {'chars/s':>12} {'CPU s':>8} {'wall s':>8}")
    for name, clock in clocks.items():
        rate = f"{len(corpus) / clock.cpu:>10,.1f} {chars / clock.cpu:>12,.0f}"
        print(f"{name:>22} {rate} {clock.cpu:>8.2f} {clock.wall:>8.2f}")
    snownlp = clocks["SnowNLP"]
    for name in ("ours, one by one", "ours, score_many"):
        clock = clocks[name]
        print(
            f"speed-up, {name}: {snownlp.cpu / clock.cpu:.1f}x CPU time"
            f" ({snownlp.wall / clock.wall:.1f}x wall clock)"
        )
    diffs = [abs(a - b) for a, b in zip(ours, theirs, strict=True)]
    mismatches = sum(a != b for a, b in zip(ours, theirs, strict=True))
    mismatches += sum(a != b for a, b in zip(batch, theirs, strict=True))
    print(f"exactness on all {len(corpus)} texts, both ways of calling:")
    print(f"  max |diff| = {max(diffs)!r}, mismatches = {mismatches}")
    saturated = sum(s in (0.0, 1.0) for s, t in zip(theirs, corpus, strict=True) if len(t) > 1000)
    longer = sum(len(t) > 1000 for t in corpus)
    print(f"SnowNLP score exactly 0.0 or 1.0 on {saturated}/{longer} texts over 1,000 chars")
    negativity_report(corpus, args.shared)
    document_report(model, corpus[: args.documents])


def negativity_report(corpus: list[str], shared: Path) -> None:
    """Per-article cost of document negativity on ~1,000-2,000 char texts, and the
    values of SnowNLP's model and the domain model (each with its calibration)."""
    models = {
        "snownlp model": snownlp_negativity_model(),
        "domain model": default_negativity_model(),
    }
    articles = [text for text in corpus if 1000 <= len(text) <= 2000][:300]
    if articles:
        clock = Clock()
        clock.run(lambda: [document_sentiments([("", a)]) for a in articles])
        mean = sum(map(len, articles)) / len(articles)
        cpu, wall = (seconds / len(articles) * 1000 for seconds in (clock.cpu, clock.wall))
        print(f"document negativity, one article at a time ({mean:.0f} chars on average):")
        print(f"  {cpu:.2f} ms CPU ({wall:.2f} ms wall) per article")
        for name, negativity_model in models.items():
            print(f"  {name}: {spread(articles, negativity_model)} on those texts")
    news = sorted((shared / "data" / "extraction" / "cwced-dev" / "cleaned").glob("*.txt"))
    if news:
        pages = [p.read_text(encoding="utf-8", errors="replace") for p in news]
        for name, negativity_model in models.items():
            print(f"  {name}: {spread(pages, negativity_model)} on {len(pages)} CWCED news pages")
    seed = shared / "seed" / "hotline-insult-article.txt"
    if seed.exists():
        text = seed.read_text(encoding="utf-8")
        for name, negativity_model in models.items():
            value = document_negativity(text.splitlines()[0], text, negativity_model)
            print(f"  {name}: seed hotline-insult article {value:.3f}")


def spread(texts: list[str], negativity_model: NegativityModel) -> str:
    values = [d.negativity for d in document_sentiments([("", t) for t in texts], negativity_model)]
    return f"min {min(values):.3f} mean {sum(values) / len(values):.3f} max {max(values):.3f}"


def document_report(model: SentimentModel, texts: list[str]) -> None:
    """Sentiment part of analyse_article per document, before and after one-pass scoring."""
    documents = [(text[:20], text) for text in texts]
    snownlp, domain = snownlp_negativity_model(), default_negativity_model()
    assert domain.sentences is domain_model()

    def two_pass(negativity_model: NegativityModel) -> Callable[[], list[tuple[float, float]]]:
        def run() -> list[tuple[float, float]]:
            return [
                (document_negativity(title, text, negativity_model), model.score(text))
                for title, text in block
            ]

        return run

    def one_pass() -> list[tuple[float, float]]:
        return [(r.negativity, r.sentiment) for r in map(lambda d: score_document(*d), block)]

    runs = {
        "before: SnowNLP negativity + sentiment (2 segmentations)": two_pass(snownlp),
        "domain negativity + sentiment (2 segmentations)": two_pass(domain),
        "after: score_document (1 segmentation)": one_pass,
    }
    clocks = {name: Clock() for name in runs}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for start in range(0, len(documents), BLOCK):
        block = documents[start : start + BLOCK]
        for name, run in runs.items():
            results[name] += clocks[name].run(run)
    names = list(runs)
    same = results[names[1]] == results[names[2]]
    chars = sum(map(len, texts)) / len(texts)
    print(f"per-document sentiment, {len(texts)} documents of {chars:.0f} chars on average:")
    for name, clock in clocks.items():
        cpu, wall = (seconds / len(texts) * 1000 for seconds in (clock.cpu, clock.wall))
        print(f"  {name:<58} {cpu:6.2f} ms CPU ({wall:6.2f} ms wall)")
    full = Clock()
    options = AnalysisOptions()
    full.run(lambda: [analyse_article(Article(title, text), options) for title, text in documents])
    cpu, wall = (seconds / len(texts) * 1000 for seconds in (full.cpu, full.wall))
    print(
        f"  {'whole analyse_article, after (tags, relevance, sentiment)':<58} {cpu:6.2f} ms CPU "
        f"({wall:6.2f} ms wall)"
    )
    before, after = clocks[names[0]].cpu, clocks[names[2]].cpu
    print(
        f"  speed-up after/before: {before / after:.2f}x CPU; one pass gives the same values "
        f"as two: {same}"
    )


if __name__ == "__main__":
    main()
