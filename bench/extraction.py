"""Extraction quality on the CWCED development pages: ours beside trafilatura and gne.

Usage: python bench/extraction.py [--shared ../shared]

Body F1 is character-level over bags of characters with all whitespace removed
(precision = shared characters / extracted characters, recall = shared / truth).
A date counts as right when it agrees with the truth at the truth's own precision
(``2018`` compares the year, ``1998-3`` the month, anything longer the day);
``UNKNOWN`` is right when nothing is returned. Authors must match exactly
(whitespace-normalised; ``UNKNOWN`` = none).
"""

from __future__ import annotations

import argparse
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from analysis.extract import decode_html, extract_article

SHANGHAI = ZoneInfo("Asia/Shanghai")
Extractor = Callable[[str, str], tuple[str, datetime | str | None, str | None]]


def char_f1(predicted: str, truth: str) -> float:
    p, t = Counter("".join(predicted.split())), Counter("".join(truth.split()))
    shared = sum((p & t).values())
    if not shared:
        return 1.0 if not p and not t else 0.0
    precision, recall = shared / sum(p.values()), shared / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def date_right(predicted: datetime | str | None, truth: str) -> bool:
    truth = truth.strip()
    if truth == "UNKNOWN":
        return predicted is None
    if predicted is None:
        return False
    if isinstance(predicted, str):
        predicted = _parse_loose(predicted)
        if predicted is None:
            return False
    if predicted.tzinfo:
        predicted = predicted.astimezone(SHANGHAI)
    numbers = [int(n) for n in re.findall(r"\d+", truth)]
    fields = [predicted.year, predicted.month, predicted.day, predicted.hour, predicted.minute]
    return fields[: min(len(numbers), 3)] == numbers[:3]


def author_right(predicted: str | None, truth: str) -> bool:
    truth = " ".join(truth.split())
    if truth == "UNKNOWN":
        return not predicted
    return " ".join((predicted or "").split()) == truth


def ours(html: str, url: str) -> tuple[str, datetime | None, str | None]:
    article = extract_article(html, url=url)
    return article.text, article.published_at, article.author


def trafilatura_extractor() -> Extractor | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: str, url: str) -> tuple[str, str | None, str | None]:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if doc is None:
            return "", None, None
        return doc.text or "", doc.date, doc.author

    return run


def gne_extractor() -> Extractor | None:
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    extractor = GeneralNewsExtractor()

    def run(html: str, url: str) -> tuple[str, str | None, str | None]:
        try:
            result = extractor.extract(html)
        except Exception:  # gne raises on some pages; score it as an empty result
            return "", None, None
        return result.get("content", ""), result.get("publish_time") or None, result.get("author")

    return run


def _parse_loose(value: str) -> datetime | None:
    from analysis.dates import parse_datetime

    return parse_datetime(value, now=datetime.now(SHANGHAI))


def evaluate(name: str, extractor: Extractor, pages: list[tuple[str, str, str, str, str]]) -> dict:
    f1s, dates, authors = [], [], []
    started = time.perf_counter()
    for page_id, html, text, date, author in pages:
        got_text, got_date, got_author = extractor(html, f"http://cwced.test/{page_id}.html")
        f1s.append(char_f1(got_text, text))
        dates.append(date_right(got_date, date))
        authors.append(author_right(got_author, author))
    elapsed = time.perf_counter() - started
    n = len(pages)
    return {
        "name": name,
        "f1": sum(f1s) / n,
        "date": sum(dates) / n,
        "author": sum(authors) / n,
        "pages_per_s": n / elapsed,
        "worst": sorted(zip(f1s, (p[0] for p in pages), strict=False))[:5],
    }


def load_pages(root: Path) -> list[tuple[str, str, str, str, str]]:
    pages = []
    for original in sorted((root / "original").glob("*.html")):
        page_id = original.stem
        html = decode_html(original.read_bytes())

        def read(kind: str, page_id: str = page_id) -> str:
            return (root / kind / f"{page_id}.txt").read_text(encoding="utf-8", errors="replace")

        pages.append((page_id, html, read("cleaned"), read("date"), read("author")))
    return pages


def robustness(real_pages: Path) -> str:
    files = sorted(real_pages.rglob("*.html"))
    empty_text = no_title = no_date = 0
    started = time.perf_counter()
    for path in files:
        article = extract_article(decode_html(path.read_bytes()), url=None)
        empty_text += not article.text
        no_title += not article.title
        no_date += article.published_at is None
    elapsed = time.perf_counter() - started
    return (
        f"real pages: {len(files)} extracted without error in {elapsed:.2f}s; "
        f"empty text {empty_text}, no title {no_title}, no date {no_date}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_shared = Path(__file__).resolve().parents[2] / "shared"
    parser.add_argument("--shared", type=Path, default=default_shared)
    args = parser.parse_args()
    dev = args.shared / "data" / "extraction" / "cwced-dev"
    if not dev.is_dir():
        raise SystemExit(f"no CWCED dev set at {dev}")
    pages = load_pages(dev)
    warnings.filterwarnings("ignore")
    extractors: list[tuple[str, Extractor | None]] = [
        ("hotwatch", ours),
        ("trafilatura", trafilatura_extractor()),
        ("gne", gne_extractor()),
    ]
    print(f"CWCED dev: {len(pages)} pages")
    print(f"{'extractor':12} {'body F1':>8} {'date acc':>9} {'author':>7} {'pages/s':>8}")
    results = [evaluate(n, e, pages) for n, e in extractors if e is not None]
    for r in results:
        scores = f"{r['f1']:8.3f} {r['date']:9.3f} {r['author']:7.3f}"
        print(f"{r['name']:12} {scores} {r['pages_per_s']:8.1f}")
    baseline = next((r for r in results if r["name"] == "trafilatura"), None)
    if baseline:
        print(
            f"hotwatch / trafilatura: body F1 x{results[0]['f1'] / baseline['f1']:.3f}, "
            f"speed x{results[0]['pages_per_s'] / baseline['pages_per_s']:.2f}"
        )
    print(
        "hotwatch worst pages:", ", ".join(f"{pid[:8]} {f:.2f}" for f, pid in results[0]["worst"])
    )
    real = args.shared / "data" / "extraction" / "real-pages"
    if real.is_dir():
        print(robustness(real))


if __name__ == "__main__":
    main()
