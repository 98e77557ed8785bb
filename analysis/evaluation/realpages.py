"""The real-page evaluation set: pages from the web, labelled by reading them.

Labels (URL, query, judgement) are ours and ship with the package
(``realpages.jsonl``); the development labels of ``../shared/data/relevance-dev``
join them when that folder is present. Page texts are third-party: they live in a
local cache outside the repository (``$HOTWATCH_PAGES_CACHE``, default
``~/.cache/hotwatch/realpages/<id>.txt``) that ``scripts/rebuild_realpages.py``
documents how to rebuild. A page without its cached text is left out and counted.
Where our scope rule (LABELLING: which complaint channels count) reads a shared page
differently, ``shared-amendments.jsonl`` holds our reading and replaces the shared one.

Splits are fixed by the event a page reports, never by page, so one event never sits
on both sides: shared pages are all ``dev``; each of our incidents (or, without one,
each page) goes to ``test`` when a hash of its key falls in the lower 35%.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

SPLITS = ("dev", "test")
SUBSETS = (*SPLITS, "all")
TEST_SHARE = 35  # percent of our own events held out
LABEL_FILE = "realpages.jsonl"
AMENDMENTS_FILE = "shared-amendments.jsonl"
AMENDED_FIELDS = ("relevant", "category", "neg_type")


class RealPagesError(ValueError):
    """A label file that cannot be read."""


@dataclass(frozen=True)
class LabelledPage:
    id: str
    url: str
    split: str
    title: str
    text: str
    relevant: bool
    category: str | None
    province: str | None
    city: str | None
    incident: str | None
    negativity: int  # read damage 0-3
    kind: str
    neg_type: str | None = None
    hotline: str | None = None
    published: str | None = None
    origin: str = "ours"  # ours | shared

    @property
    def damaging(self) -> bool:
        return self.negativity >= 2


@dataclass
class RealPageSet:
    pages: list[LabelledPage] = field(default_factory=list)
    missing_text: int = 0
    cache_dir: Path | None = None


def cache_dir() -> Path:
    configured = os.environ.get("HOTWATCH_PAGES_CACHE")
    return Path(configured) if configured else Path.home() / ".cache/hotwatch/realpages"


def shared_labels_path() -> Path:
    """``shared/data/relevance-dev/labels.jsonl`` beside the project, or $HOTWATCH_SHARED_DIR."""
    configured = os.environ.get("HOTWATCH_SHARED_DIR")
    root = Path(configured) if configured else Path(__file__).resolve().parents[3] / "shared"
    return root / "data" / "relevance-dev" / "labels.jsonl"


def load_labels(path: str | Path | None = None) -> list[dict]:
    """Our label records (the bundled file unless ``path``), then the shared ones if present."""
    if path is None:
        text = resources.files(__package__).joinpath(LABEL_FILE).read_text(encoding="utf-8")
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RealPagesError(f"cannot read labels {path}: {error}") from error
    records = [
        _json(line, number) for number, line in enumerate(text.splitlines(), 1) if line.strip()
    ]
    for record in records:
        record.setdefault("origin", "ours")
    shared = shared_labels_path()
    if path is None and shared.exists():
        amendments = _shared_amendments()
        for line in shared.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record.update(amendments.get(record["id"], {}))
                records.append({**record, "origin": "shared"})
    return records


def _shared_amendments() -> dict[str, dict]:
    """Shared page id -> our reading of its relevance fields."""
    text = resources.files(__package__).joinpath(AMENDMENTS_FILE).read_text(encoding="utf-8")
    amendments = {}
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            amendments[record["id"]] = {key: record[key] for key in AMENDED_FIELDS}
    return amendments


def load_pages(
    subset: str = "all", *, path: str | Path | None = None, cache: Path | None = None
) -> RealPageSet:
    """Labelled pages of ``subset`` whose text is in the cache."""
    if subset not in SUBSETS:
        raise RealPagesError(f"unknown set {subset!r}: choose one of {', '.join(SUBSETS)}")
    cache = cache or cache_dir()
    records = load_labels(path)
    splits = assign_splits(records)
    result = RealPageSet(cache_dir=cache)
    for record in records:
        split = splits[record["id"]]
        if subset != "all" and split != subset:
            continue
        text_path = cache / f"{record['id']}.txt"
        if not text_path.exists():
            result.missing_text += 1
            continue
        result.pages.append(_page(record, split, text_path.read_text(encoding="utf-8")))
    return result


def assign_splits(records: list[dict]) -> dict[str, str]:
    """Page id -> dev/test, by event: events the shared set knows stay on the dev side."""
    shared_events = {
        r["incident"] for r in records if r["origin"] == "shared" and r.get("incident")
    }
    splits = {}
    for record in records:
        key = record.get("incident") or record["id"]
        if record["origin"] == "shared" or key in shared_events:
            splits[record["id"]] = "dev"
        else:
            bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100
            splits[record["id"]] = "test" if bucket < TEST_SHARE else "dev"
    return splits


def _page(record: dict, split: str, excerpt: str) -> LabelledPage:
    title, _, text = excerpt.strip().partition("\n")
    return LabelledPage(
        id=record["id"],
        url=record["url"],
        split=split,
        title=title.strip(),
        text=text.strip(),
        relevant=bool(record["relevant"]),
        category=record.get("category"),
        province=record.get("province"),
        city=record.get("city"),
        incident=record.get("incident"),
        negativity=int(record.get("negativity") or 0),
        kind=record.get("kind") or "other",
        neg_type=record.get("neg_type"),
        hotline=record.get("hotline"),
        published=record.get("published"),
        origin=record["origin"],
    )


def _json(line: str, number: int) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise RealPagesError(f"{LABEL_FILE}:{number}: not JSON ({error.msg})") from error
    for key in ("id", "url", "relevant"):
        if key not in record:
            raise RealPagesError(f"{LABEL_FILE}:{number}: missing {key}")
    return record
