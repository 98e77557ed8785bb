"""The labelled development set: documents with the answers hotwatch should give.

One JSON object per line (``devset.jsonl``, shipped with the package):

``id``, ``split`` (``dev`` to tune on, ``test`` held out), ``kind`` (what the document
is: ``failure``, ``response``, ``fiction``, ``tag_page``...), ``title``, ``text``,
``published`` (YYYY-MM-DD), ``relevant``, ``categories`` (taxonomy names, the failure
behind the report), ``province`` and ``city`` (official names, municipalities repeat
the province, null when not labelled), ``incident`` (a group key shared by the
reports of one event, null for none) and ``negative`` (is the coverage negative?).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from analysis.tags.categories import CATEGORIES
from analysis.tags.gazetteer import load_gazetteer

SPLITS = ("dev", "test")
SUBSETS = (*SPLITS, "all")
FIELDS = (
    "id",
    "split",
    "kind",
    "title",
    "text",
    "published",
    "relevant",
    "categories",
    "province",
    "city",
    "incident",
    "negative",
)


class DevsetError(ValueError):
    """A labelled set that cannot be read or has an invalid label."""


@dataclass(frozen=True)
class LabelledDocument:
    id: str
    split: str
    kind: str
    title: str
    text: str
    published: date
    relevant: bool
    categories: tuple[str, ...]
    province: str | None
    city: str | None
    incident: str | None
    negative: bool


def load_devset(path: str | Path | None = None, *, subset: str = "all") -> list[LabelledDocument]:
    """The documents of ``subset`` (dev, test or all) from ``path`` or the bundled set."""
    if subset not in SUBSETS:
        raise DevsetError(f"unknown set {subset!r}: choose one of {', '.join(SUBSETS)}")
    if path is None:
        source = "devset.jsonl"
        lines = resources.files(__package__).joinpath(source).read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            lines = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DevsetError(f"cannot read labelled set {source}: {error}") from error
    docs = [
        _parse(line, f"{source}:{number}")
        for number, line in enumerate(lines.splitlines(), start=1)
        if line.strip()
    ]
    _check_unique_ids(docs, source)
    return [doc for doc in docs if subset == "all" or doc.split == subset]


def _parse(line: str, where: str) -> LabelledDocument:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as error:
        raise DevsetError(f"{where}: not JSON ({error.msg})") from error
    if not isinstance(raw, dict):
        raise DevsetError(f"{where}: expected a JSON object")
    missing = [name for name in FIELDS if name not in raw]
    if missing:
        raise DevsetError(f"{where}: missing {', '.join(missing)}")
    try:
        doc = LabelledDocument(
            id=str(raw["id"]),
            split=raw["split"],
            kind=str(raw["kind"]),
            title=str(raw["title"]),
            text=str(raw["text"]),
            published=date.fromisoformat(raw["published"]),
            relevant=_boolean(raw["relevant"], "relevant"),
            categories=tuple(raw["categories"]),
            province=raw["province"],
            city=raw["city"],
            incident=raw["incident"],
            negative=_boolean(raw["negative"], "negative"),
        )
    except (TypeError, ValueError) as error:
        raise DevsetError(f"{where}: {error}") from error
    problem = label_problem(doc)
    if problem:
        raise DevsetError(f"{where}: {problem}")
    return doc


def label_problem(doc: LabelledDocument) -> str | None:
    """Why a document's labels are invalid, or None when they are all valid."""
    if doc.split not in SPLITS:
        return f"split must be one of {', '.join(SPLITS)}, not {doc.split!r}"
    unknown = [c for c in doc.categories if c not in CATEGORIES]
    if unknown:
        return f"unknown categories {', '.join(unknown)}"
    if doc.relevant and not doc.categories:
        return "a relevant document needs at least one category"
    if not doc.relevant and (doc.categories or doc.incident):
        return "an irrelevant document has neither categories nor an incident"
    return _region_problem(doc.province, doc.city)


def _region_problem(province: str | None, city: str | None) -> str | None:
    divisions = load_gazetteer().divisions
    if province is None:
        return "a city needs its province" if city else None
    codes = [code for code, d in divisions.items() if d.name == province and d.level == "province"]
    if not codes:
        return f"unknown province {province!r}"
    if city is None or city == province:
        return None
    prefix = codes[0][:2]
    in_province = [
        d for code, d in divisions.items() if code.startswith(prefix) and d.level != "province"
    ]
    if not any(d.name == city for d in in_province):
        return f"unknown city {city!r} in {province}"
    return None


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false")
    return value


def _check_unique_ids(docs: list[LabelledDocument], source: str) -> None:
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise DevsetError(f"{source}: duplicate id {doc.id!r}")
        seen.add(doc.id)
