"""Plain records passed between the analysis stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Article:
    """What extraction finds on one page."""

    title: str
    text: str
    published_at: datetime | None = None
    author: str | None = None
    outlet: str | None = None
    canonical_url: str | None = None


@dataclass
class Analysis:
    """What analysis concludes about one article."""

    relevant: bool
    relevance: float
    negativity: float
    sentiment: float
    hotlines: list[str] = field(default_factory=list)
    regions: list[dict[str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
