"""Records that go into and come out of a store, whatever the backend."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import urlparse

from analysis.model import Analysis, Article
from analysis.sentiment.bands import negativity_band

SortOrder = Literal["relevance", "time", "negativity"]
SORT_ORDERS: tuple[str, ...] = ("relevance", "time", "negativity")
FACETS: tuple[str, ...] = ("hotline", "province", "city", "category", "source")
FACET_SIZE = 20  # buckets per facet, the largest counts


def document_id(canonical_url: str) -> str:
    """A stable id from the canonical URL, the same on every backend."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


@dataclass
class StoredDocument:
    url: str
    title: str
    text: str
    fetched_at: datetime
    published_at: datetime | None = None
    author: str | None = None
    outlet: str | None = None
    source: str | None = None
    domain: str | None = None
    tier: int | None = None
    fetched_url: str | None = None
    relevant: bool = False
    relevance: float = 0.0
    negativity: float = 0.5
    sentiment: float = 0.5
    hotlines: list[str] = field(default_factory=list)
    regions: list[dict[str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    incident_id: str | None = None
    kind: str = "article"  # "article" (news page) or "post" (social post)
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    parent_url: str | None = None  # the original a repost shares
    urls: list[str] = field(default_factory=list)  # every URL that led to it (variants, copies)
    # Its incident fingerprint, stored form (analysis.incidents.prints): placing reads it.
    fingerprint: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return document_id(self.url)

    @classmethod
    def from_analysis(
        cls, url: str, article: Article, analysis: Analysis, **fields: Any
    ) -> StoredDocument:
        """A record for an analysed article; ``fields`` add fetched_at, source, tier ..."""
        return cls(
            url=url,
            title=article.title,
            text=article.text,
            published_at=article.published_at,
            author=article.author,
            outlet=article.outlet,
            domain=urlparse(url).hostname,
            relevant=analysis.relevant,
            relevance=analysis.relevance,
            negativity=analysis.negativity,
            sentiment=analysis.sentiment,
            hotlines=analysis.hotlines,
            regions=analysis.regions,
            categories=analysis.categories,
            plans=analysis.plans,
            reasons=analysis.reasons,
            **fields,
        )

    @property
    def reach(self) -> int:
        """Engagement of a social post: reposts, comments and likes together."""
        return self.reposts + self.comments + self.likes

    def content_key(self) -> tuple[Any, ...]:
        """What makes two versions of a document different enough to count as an update.

        A post's engagement is part of it: a repost wave is news for PR staff.
        """
        key = (self.title, self.text, self.published_at, self.author, self.outlet)
        return key + (self.reposts, self.comments, self.likes) if self.kind == "post" else key

    def placement_key(self) -> tuple[Any, ...]:
        """What deciding the document's incident reads: when this changes it is placed again."""
        return (
            self.title,
            self.text,
            self.published_at or self.fetched_at,
            self.relevant,
            self.hotlines,
            self.categories,
            self.regions[:1],
            self.parent_url,
        )

    def to_json(self) -> dict[str, Any]:
        """The document for readers (the API, exports); without its fingerprint, which
        only placing reads."""
        data = asdict(self)
        del data["fingerprint"]
        data["id"] = self.id
        data["band"] = negativity_band(self.negativity)
        for key in ("fetched_at", "published_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def merged_urls(doc: StoredDocument, existing: StoredDocument | None) -> list[str]:
    """The URLs of a document written over ``existing``: the stored ones first, then new ones."""
    stored = existing.urls if existing is not None else []
    return list(dict.fromkeys([*stored, doc.url, *doc.urls]))


@dataclass(frozen=True)
class SearchQuery:
    """A search: query text in rule syntax plus filters, sort and page."""

    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    regions: tuple[str, ...] = ()
    hotlines: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()  # monitoring plans (监测方案): documents in any of them
    sources: tuple[str, ...] = ()
    incident_id: str | None = None
    relevant_only: bool = True
    negativity_min: float | None = None
    negativity_max: float | None = None
    sort: SortOrder = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = False


@dataclass
class Hit:
    document: StoredDocument
    score: float
    snippet: str
    highlights: list[tuple[int, int]]

    def to_json(self) -> dict[str, Any]:
        data = self.document.to_json()
        data.pop("text")
        data.update(score=self.score, snippet=self.snippet, highlights=self.highlights)
        return data


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {name: [[v, n] for v, n in counts] for name, counts in self.facets.items()},
        }


UpsertOutcome = Literal["new", "updated", "unchanged", "spooled"]


def placement(
    doc: StoredDocument, previous: StoredDocument | None, previous_pending: bool
) -> tuple[str | None, bool]:
    """The incident id to store with a written document, and whether it awaits placement.

    A document written again with the same placement features keeps its incident and
    is not placed again, so a re-crawl costs no incident work; any other write marks it
    pending for the next incremental incident update (``index.incidents``).
    """
    if previous is None:
        return doc.incident_id, True
    incident_id = doc.incident_id or previous.incident_id
    changed = previous.placement_key() != doc.placement_key()
    return incident_id, previous_pending or changed


@dataclass
class IncidentRecord:
    """An incident: documents about one real-world event, with its first source and risk."""

    id: str
    title: str
    first_document_id: str
    first_url: str
    first_source: str | None
    first_outlet: str | None
    first_seen: datetime
    last_seen: datetime
    documents: int
    sources: int
    daily: dict[str, int] = field(default_factory=dict)
    regions: list[dict[str, str]] = field(default_factory=list)
    hotlines: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    negativity: float = 0.5
    level: str = "blue"
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    reach: int = 0  # reposts + comments + likes of the incident's social posts

    def to_json(self) -> dict[str, Any]:
        # Copied field by field, not by ``asdict``: its element-by-element deep copy of
        # ``daily`` (a day each, thousands for a years-long incident) was a fifth of an
        # update at 1M documents.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(
            first_seen=self.first_seen.isoformat(),
            last_seen=self.last_seen.isoformat(),
            daily=dict(self.daily),
            regions=[dict(region) for region in self.regions],
            hotlines=list(self.hotlines),
            categories=list(self.categories),
            reasons=list(self.reasons),
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncidentRecord:
        values = dict(data)
        values["first_seen"] = datetime.fromisoformat(values["first_seen"])
        values["last_seen"] = datetime.fromisoformat(values["last_seen"])
        return cls(**values)
