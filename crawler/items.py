"""Items that flow from the spiders through the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.weibo.posts import Post


@dataclass
class PageItem:
    """One fetched article page, as bytes; pipelines fill in ``article`` and ``analysis``."""

    url: str
    body: bytes
    source: str
    fetched_at: datetime
    content_type: str | None = None
    tier: int | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    feed_title: str | None = None
    feed_published: str | None = None
    aliases: list[str] = field(default_factory=list)
    article: Any = None
    analysis: Any = None
    fingerprint: dict[str, Any] | None = None  # a relevant article's, from the analysis
    incident_id: str | None = None
    document_url: str | None = None  # the article's one URL, set by the dedup pipeline
    urls: list[str] = field(default_factory=list)  # every URL this fetch reached it by


@dataclass
class PostItem:
    """One social post; it needs no extraction, the pipelines fill ``article`` and ``analysis``."""

    post: Post
    source: str
    fetched_at: datetime
    tier: int | None = None  # the source's tier, for authors whose account says nothing
    aliases: list[str] = field(default_factory=list)
    article: Any = None
    analysis: Any = None
    fingerprint: dict[str, Any] | None = None  # a relevant post's, from the analysis
    incident_id: str | None = None

    @property
    def url(self) -> str:
        return self.post.url
