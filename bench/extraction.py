"""Extraction quality on the CWCED development pages: ours beside trafilatura and gne.

Usage: python bench/extraction.py [--shared ../shared]

Every extractor gets the same input: the page bytes decoded by our ``decode_html`` and
the same URL. How each number is computed:

* body F1: character-level F1 over bags of characters with all whitespace removed:
  precision = shared characters / extracted characters, recall = shared / truth
  (shared = multiset intersection); mean over pages. Both empty counts as 1.0.
* date acc: a date is right when it agrees with the truth at the truth's own
  granularity: ``2018`` compares the year, ``1998-3`` year and month, ``2005-04-05``
  the day, ``2005-04-05 06:40`` down to the minute, with seconds when the truth has
  them. Our times are compared in Asia/Shanghai; string dates returned by trafilatura
  and gne are parsed with our ``parse_datetime``. ``UNKNOWN`` is right only when
  nothing is returned. Truth files that hold no date at all (one dev page has an
  author name there) are left out of the date score; ``n`` says how many counted.
  ``date@day`` is the same comparison cut at the day, for reference.
* author: exact match after collapsing whitespace; ``UNKNOWN`` is right only when
  nothing (None or empty) is returned.
* pages/s: pages through ``extract`` per second of wall time, single process,
  decoding excluded (same for all three).

The real pages (no text ground truth) are checked for errors, empty bodies, missing
titles and dates; the four trafilatura pages with ``evaldata_zh.json`` are also scored
on their title/date/author and on the "with" snippets found and "without" snippets absent.
"""

from __future__ import annotations

import argparse
import json
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
    f1s, dates, days, authors = [], [], [], []
    started = time.perf_counter()
    results = [extractor(html, f"http://cwced.test/{page_id}.html") for page_id, html, *_ in pages]
    elapsed = time.perf_counter() - started
    for (_, _, text, date, author), (got_text, got_date, got_author) in zip(
        pages, results, strict=True
    ):
        f1s.append(char_f1(got_text, text))
        if date.strip() == "UNKNOWN" or truth_fields(date) is not None:
            dates.append(date_right(got_date, date))
            days.append(date_right(got_date, date, max_fields=3))
        authors.append(author_right(got_author, author))
    n = len(pages)
    return {
        "name": name,
        "f1": sum(f1s) / n,
        "date": sum(dates) / len(dates),
        "date_day": sum(days) / len(days),
        "date_n": len(dates),
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
    errors = empty_text = no_title = no_date = 0
    started = time.perf_counter()
    for path in files:
        try:
            article = extract_article(decode_html(path.read_bytes()), url=None)
        except Exception:  # the point of this check: count them instead of stopping
            errors += 1
            continue
        empty_text += not article.text
        no_title += not article.title
        no_date += article.published_at is None
    elapsed = time.perf_counter() - started
    return (
        f"real pages: {len(files)} pages, {errors} errors, {elapsed:.2f}s; "
        f"empty text {empty_text}, no title {no_title}, no date {no_date}"
    )


def evaldata(folder: Path, extractors: list[tuple[str, Extractor]]) -> list[str]:
    """Scores on trafilatura's Chinese evaldata: title/date/author, with/without snippets."""
    spec = folder / "evaldata_zh.json"
    if not spec.is_file():
        return []
    cases = json.loads(spec.read_text(encoding="utf-8"))
    report = []
    for name, extractor in extractors:
        with_hits = with_total = without_ok = without_total = dates = authors = titles = 0
        for url, case in cases.items():
            html = decode_html((folder / case["file"]).read_bytes())
            text, date, author = extractor(html, url)
            compact = "".join(text.split())
            with_total += len(case["with"])
            with_hits += sum("".join(s.split()) in compact for s in case["with"])
            without_total += len(case["without"])
            without_ok += sum("".join(s.split()) not in compact for s in case["without"])
            dates += date_right(date, case["date"] or "UNKNOWN")
            authors += author_right(author, case["author"] or "UNKNOWN")
            if name == "hotwatch":
                titles += extract_article(html, url=url).title == case["title"].strip()
        title_note = f", title {titles}/{len(cases)}" if name == "hotwatch" else ""
        report.append(
            f"  {name:12} with {with_hits}/{with_total}, without {without_ok}/{without_total}, "
            f"date {dates}/{len(cases)}, author {authors}/{len(cases)}{title_note}"
        )
    return report


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
    available = [(n, e) for n, e in extractors if e is not None]
    results = [evaluate(n, e, pages) for n, e in available]
    print(
        f"{'extractor':12} {'body F1':>8} {'date acc':>9} {'date@day':>9} {'author':>7} "
        f"{'pages/s':>8}   (date n={results[0]['date_n']})"
    )
    for r in results:
        scores = f"{r['f1']:8.3f} {r['date']:9.3f} {r['date_day']:9.3f} {r['author']:7.3f}"
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
        lines = evaldata(real / "trafilatura", available)
        if lines:
            print("trafilatura evaldata_zh (4 pages):")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
