"""Full article analysis throughput against raw SnowNLP sentiment on the same texts.

Usage: python bench/analysis_speed.py [--docs 2000] [--snownlp-docs 200] [--seed 1]

Builds a corpus from ``hotwatch.demo.site``'s synthetic generator, each text cut or
extended to a log-uniform length of 50-5,000 characters (hotline failures, other
hotline news and local news mixed as on the demo site). Times
``analysis.analyse.analyse_article`` (tags, relevance, sentiment; extraction not
included) over every document, then ``SnowNLP(text).sentiments`` alone over the
first ``--snownlp-docs`` of the same texts (SnowNLP is slow; its rate is per
document and per character, so the subset is scaled, not extrapolated by count).
Everything runs in one process, so the rates are per core; they are documents per
CPU second of this process (wall-clock rates on a shared machine measure the other
tenants). Prints docs/s and chars/s for both, the ratio analyse/SnowNLP (above 1
means the full analysis is faster than SnowNLP's sentiment alone) and the verdict
against the target of 1,000 documents/s per core.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from snownlp import SnowNLP

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.model import Article
from hotwatch.demo.synthetic import synthetic_article

MIN_CHARS, MAX_CHARS = 50, 5000
TARGET_DOCS_PER_SECOND = 1000.0


def corpus(size: int, seed: int) -> list[Article]:
    rng = random.Random(seed)
    articles = []
    for number in range(size):
        sample = synthetic_article(rng, number)
        target = int(MIN_CHARS * (MAX_CHARS / MIN_CHARS) ** rng.random())
        text = "\n".join(sample.body)
        while len(text) < target:  # long reports: append another article's paragraphs
            text += "\n" + "\n".join(synthetic_article(rng, number).body)
        articles.append(Article(title=sample.title, text=text[:target]))
    return articles


def rate(work: Callable[[Article], object], articles: list[Article]) -> tuple[float, float]:
    """Documents and characters per CPU second."""
    started = time.process_time()
    for article in articles:
        work(article)
    seconds = time.process_time() - started
    chars = sum(len(a.title) + len(a.text) for a in articles)
    return len(articles) / seconds, chars / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--snownlp-docs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    articles = corpus(args.docs, args.seed)
    subset = articles[: args.snownlp_docs]
    lengths = sorted(len(a.text) for a in articles)
    print(
        f"corpus: {len(articles)} documents, {sum(lengths):,} characters, median"
        f" {lengths[len(lengths) // 2]}, range {lengths[0]}-{lengths[-1]}"
    )
    options = AnalysisOptions()
    analyse_article(articles[0], options)  # load models before timing
    _ = SnowNLP(subset[0].text).sentiments
    docs_s, chars_s = rate(lambda a: analyse_article(a, options), articles)
    snow_docs_s, snow_chars_s = rate(lambda a: SnowNLP(a.title + a.text).sentiments, subset)
    print(f"{'per core (CPU time)':<36} {'docs/s':>9} {'chars/s':>11}")
    print(
        f"{'analyse_article (' + str(len(articles)) + ' docs)':<36}"
        f" {docs_s:>9.1f} {chars_s:>11,.0f}"
    )
    print(
        f"{'SnowNLP.sentiments (' + str(len(subset)) + ' docs)':<36}"
        f" {snow_docs_s:>9.1f} {snow_chars_s:>11,.0f}"
    )
    print(
        f"{'ratio analyse / SnowNLP':<36} {docs_s / snow_docs_s:>8.1f}x"
        f" {chars_s / snow_chars_s:>10.1f}x"
    )
    print(
        "(the SnowNLP subset is the first documents of the same corpus; compare chars/s"
        " if its length mix differs)"
    )
    verdict = "met" if docs_s >= TARGET_DOCS_PER_SECOND else "MISSED"
    print(f"target analyse_article >= {TARGET_DOCS_PER_SECOND:,.0f} docs/s per core: {verdict}")


if __name__ == "__main__":
    main()
