"""Scoring extraction against the CWCED ground truth (see ``extraction.py`` for how each
number is computed): pages, per-page scores and our extractor as a scored function."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from analysis.extract import ExtractOptions, Tuning, decode_html, extract_article

SHANGHAI = ZoneInfo("Asia/Shanghai")
Extractor = Callable[[str, str], tuple[str, datetime | str | None, str | None]]


def char_f1(predicted: str, truth: str) -> float:
    p, t = Counter("".join(predicted.split())), Counter("".join(truth.split()))
    shared = sum((p & t).values())
    if not shared:
        return 1.0 if not p and not t else 0.0
    precision, recall = shared / sum(p.values()), shared / sum(t.values())
    return 2 * precision * recall / (precision + recall)


TRUTH_DATE_RE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?)?)?$"
)


def truth_fields(truth: str) -> list[int] | None:
    """``2005-5-7 21:23:57`` -> [2005, 5, 7, 21, 23, 57]; None when it is not a date."""
    match = TRUTH_DATE_RE.match(truth.strip())
    return [int(g) for g in match.groups() if g is not None] if match else None


def date_right(predicted: datetime | str | None, truth: str, max_fields: int = 6) -> bool:
    truth = truth.strip()
    if truth == "UNKNOWN":
        return predicted is None
    fields = truth_fields(truth)
    if fields is None or predicted is None:
        return False
    if isinstance(predicted, str):
        predicted = _parse_loose(predicted)
        if predicted is None:
            return False
    if predicted.tzinfo:
        predicted = predicted.astimezone(SHANGHAI)
    ours = [predicted.year, predicted.month, predicted.day]
    ours += [predicted.hour, predicted.minute, predicted.second]
    n = min(len(fields), max_fields)
    return ours[:n] == fields[:n]


def author_right(predicted: str | None, truth: str) -> bool:
    truth = " ".join(truth.split())
    if truth == "UNKNOWN":
        return not predicted
    return " ".join((predicted or "").split()) == truth


def ours(html: str, url: str) -> tuple[str, datetime | None, str | None]:
    article = extract_article(html, url=url)
    return article.text, article.published_at, article.author


def _parse_loose(value: str) -> datetime | None:
    from analysis.dates import parse_datetime

    return parse_datetime(value, now=datetime.now(SHANGHAI))


Page = tuple[str, str, str, str, str]


@dataclass
class Scores:
    """Per-page scores of one extractor: body F1, date right (None: not scored), author."""

    f1: list[float]
    date: list[bool | None]
    day: list[bool | None]
    author: list[bool]
    seconds: float

    def mean(self, indices: Iterable[int] | None = None) -> tuple[float, float, float]:
        """Body F1, date accuracy and author accuracy over ``indices`` (all by default)."""
        chosen = list(range(len(self.f1))) if indices is None else list(indices)
        dates = [self.date[i] for i in chosen if self.date[i] is not None]
        return (
            sum(self.f1[i] for i in chosen) / len(chosen),
            sum(bool(d) for d in dates) / len(dates) if dates else 0.0,
            sum(self.author[i] for i in chosen) / len(chosen),
        )

    def day_accuracy(self) -> float:
        days = [d for d in self.day if d is not None]
        return sum(bool(d) for d in days) / len(days) if days else 0.0


def score(extractor: Extractor, pages: list[Page]) -> Scores:
    started = time.perf_counter()
    results = [extractor(html, f"http://cwced.test/{page_id}.html") for page_id, html, *_ in pages]
    elapsed = time.perf_counter() - started
    scores = Scores([], [], [], [], elapsed)
    for (_, _, text, date, author), (got_text, got_date, got_author) in zip(
        pages, results, strict=True
    ):
        scores.f1.append(char_f1(got_text, text))
        counted = date.strip() == "UNKNOWN" or truth_fields(date) is not None
        scores.date.append(date_right(got_date, date) if counted else None)
        scores.day.append(date_right(got_date, date, max_fields=3) if counted else None)
        scores.author.append(author_right(got_author, author))
    return scores


def ours_with(tuning: Tuning) -> Extractor:
    options = ExtractOptions(tuning=tuning)

    def run(html: str, url: str) -> tuple[str, datetime | None, str | None]:
        article = extract_article(html, url=url, options=options)
        return article.text, article.published_at, article.author

    return run


def load_pages(root: Path) -> list[Page]:
    pages = []
    for original in sorted((root / "original").glob("*.html")):
        page_id = original.stem
        html = decode_html(original.read_bytes())

        def read(kind: str, page_id: str = page_id) -> str:
            return (root / kind / f"{page_id}.txt").read_text(encoding="utf-8", errors="replace")

        pages.append((page_id, html, read("cleaned"), read("date"), read("author")))
    return pages
