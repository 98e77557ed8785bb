"""Local files (`hotwatch analyze`, `hotwatch ingest`): read, extract, analyse."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.analyse import AnalysisOptions, analyse_article
from analysis.dates import parse_datetime
from analysis.extract import ExtractOptions, decode_html, extract_article
from analysis.incidents import IncidentFeatures, assign_incidents
from analysis.model import Analysis, Article
from analysis.relevance import JOINED_EVENT, event_routes

DOCUMENT_SUFFIXES = (".html", ".htm", ".txt")
INGEST_SUFFIXES = (*DOCUMENT_SUFFIXES, ".jsonl")


class InputError(Exception):
    """A local input that cannot be read; the message is one line."""


@dataclass
class LocalDocument:
    path: str
    url: str
    article: Article
    analysis: Analysis
    incident_id: str | None = None  # grouped with the other files analysed with it

    def to_json(self) -> dict[str, Any]:
        """One line of ``hotwatch analyze --json``."""
        article, analysis = self.article, self.analysis
        return {
            "path": self.path,
            "url": self.url,
            "title": article.title,
            "text": article.text,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "author": article.author,
            "outlet": article.outlet,
            "relevant": analysis.relevant,
            "relevance": analysis.relevance,
            "negativity": analysis.negativity,
            "sentiment": analysis.sentiment,
            "hotlines": analysis.hotlines,
            "regions": analysis.regions,
            "categories": analysis.categories,
            "plans": analysis.plans,
            "reasons": analysis.reasons,
            "incident_id": self.incident_id,
        }


def find_files(paths: Iterable[str | Path], suffixes: tuple[str, ...]) -> list[Path]:
    """The files named, and the matching files inside named directories, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"no such file or directory: {path}")
    return found


def read_articles(path: Path, *, now: datetime | None = None) -> Iterator[tuple[str, Article]]:
    """(url, article) pairs from one file: an HTML page, a text file, or JSON lines."""
    now = now or datetime.now(UTC)
    try:
        body = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_articles(path, body, now)
    elif suffix == ".txt":
        yield path.resolve().as_uri(), _text_article(body.decode("utf-8", "replace"))
    else:
        url = path.resolve().as_uri()
        # A saved page's 3小时前 or 昨天 was written relative to when it was saved.
        saved = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        article = extract_article(decode_html(body), url=url, options=ExtractOptions(now=saved))
        yield article.canonical_url or url, article


def analyse_files(paths: Iterable[str | Path], options: AnalysisOptions) -> Iterator[LocalDocument]:
    for path in find_files(paths, DOCUMENT_SUFFIXES):
        for url, article in read_articles(path):
            yield LocalDocument(str(path), url, article, analyse_article(article, options))


def analyse_and_group(
    paths: Iterable[str | Path], options: AnalysisOptions
) -> list[LocalDocument]:
    """Analyse the files and group the relevant ones into incidents among themselves; a
    page not judged relevant that joins one is relevant through it, as in a store."""
    documents = list(analyse_files(paths, options))
    incident_ids = assign_incidents([_features(d) for d in documents])
    for document, incident_id in zip(documents, incident_ids, strict=True):
        document.incident_id = incident_id
        if incident_id and not document.analysis.relevant:
            document.analysis.relevant = True
            document.analysis.reasons.append(JOINED_EVENT)
    return documents


def _features(document: LocalDocument) -> IncidentFeatures:
    article, analysis = document.article, document.analysis
    return IncidentFeatures(
        doc_id=document.url,
        title=article.title,
        text=article.text,
        published_at=article.published_at,
        regions=analysis.regions,
        hotlines=analysis.hotlines,
        categories=analysis.categories,
        url=document.url,
        relevant=analysis.relevant,
        joins=event_routes(analysis.relevant, analysis.relevance, analysis.reasons),
    )


def _text_article(text: str) -> Article:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    title = lines[0] if lines else ""
    return Article(title=title, text="\n".join(lines[1:]) or title)


def _jsonl_articles(path: Path, body: bytes, now: datetime) -> Iterator[tuple[str, Article]]:
    for number, line in enumerate(body.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record: dict[str, Any] = json.loads(line)
            url, title, text = record["url"], record.get("title") or "", record["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise InputError(
                f"{path}:{number}: expected a JSON object with url and text"
            ) from error
        published = record.get("published_at")
        article = Article(
            title=title,
            text=text,
            published_at=parse_datetime(published, now=now) if published else None,
            author=record.get("author"),
            outlet=record.get("outlet"),
            canonical_url=url,
        )
        yield url, article
