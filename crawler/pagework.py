"""A fetched page's work in an analysis worker: decode, extract, analyse; without Scrapy.

Analysis worker processes import this module (and ``analysis``) only, so each one
holds the models and not a second copy of Scrapy and the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.dates import parse_datetime
from analysis.extract import ExtractOptions, decode_page, extract_article
from analysis.extract.decode import garbled_share
from analysis.incidents.prints import fingerprint_json
from analysis.model import Analysis, Article
from analysis.relevance import event_routes
from crawler.skip_reasons import NO_ARTICLE, UNDECODABLE

#: A page whose non-ASCII text is more than this share of replacement characters is unreadable.
MAX_GARBLED_SHARE = 0.2
#: A function to run in a worker, with its positional and keyword arguments.
Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class PageJob:
    """All a worker needs to turn a fetched page into an analysed article, sent once."""

    body: bytes
    content_type: str | None
    url: str
    fetched_at: datetime
    options: ExtractOptions
    analysis: AnalysisOptions
    min_text_chars: int
    feed_title: str | None = None
    feed_published: str | None = None


@dataclass(frozen=True)
class PageResult:
    article: Article | None
    analysis: Analysis | None
    skip: str | None = None  # a crawler.skips reason
    detail: str = ""
    fingerprint: dict[str, Any] | None = None  # a relevant article's, for incident placement


def work_page(job: PageJob) -> PageResult:
    """Decode, extract (feed title and date filling gaps) and analyse one page."""
    article, garbled = decode_and_extract(job.body, job.content_type, job.url, job.options)
    if article is None:
        return PageResult(None, None, UNDECODABLE, f"{garbled:.0%} of its characters unreadable")
    if not article.title and job.feed_title:
        article.title = job.feed_title
    if article.published_at is None and job.feed_published:
        article.published_at = parse_datetime(job.feed_published, now=job.fetched_at)
    if len(article.text) < job.min_text_chars:
        return PageResult(None, None, NO_ARTICLE, f"{len(article.text)} characters of text")
    analysis, prints = analyse_with_fingerprint(article, job.analysis)
    return PageResult(article, analysis, fingerprint=prints)


def analyse_with_fingerprint(
    article: Article, options: AnalysisOptions
) -> tuple[Analysis, dict[str, Any] | None]:
    """The analysis, and for an article placed into incidents (relevant, or one that may
    join an event: ``event_routes``) its incident fingerprint (stored form).

    Placing the document after the crawl reads the fingerprint instead of computing it
    in the crawler process; other articles are not placed, so none is made.
    """
    analysis = analyse_article(article, options)
    placed = analysis.relevant or event_routes(
        analysis.relevant, analysis.relevance, analysis.reasons
    )
    prints = fingerprint_json(article.title, article.text) if placed else None
    return analysis, prints


def decode_and_extract(
    body: bytes, content_type: str | None, url: str, options: ExtractOptions
) -> tuple[Article | None, float]:
    """The page's article, or None and the garbled share when its bytes decode to no text."""
    html = decode_page(body, content_type=content_type)
    garbled = garbled_share(html)
    if garbled > MAX_GARBLED_SHARE:
        return None, garbled
    return extract_article(html, url=url, options=options), garbled


def call_batch(calls: list[Call]) -> tuple[int, list[tuple[bool, Any]]]:
    """Run in a worker: each call's (True, result) or (False, its exception), in order,
    and which worker ran them."""
    outcomes: list[tuple[bool, Any]] = []
    for function, args, kwargs in calls:
        try:
            outcomes.append((True, function(*args, **kwargs)))
        except Exception as error:  # the caller's to raise, as an inline call would
            outcomes.append((False, error))
    return os.getpid(), outcomes
