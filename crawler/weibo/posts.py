"""Posts from the cards of a Weibo API answer.

A post is a ``card_type`` 9 card's ``mblog``; search answers also nest such cards in a
``card_group``. A repost carries its original in ``retweeted_status``: both become posts
and the repost points at the original with ``parent_url``.

Author tier (the project's 1 central, 2 provincial, 3 portal, 4 self-media scale), from
the author's ``verified_type``:

==========================================  =====
verified_type                               tier
==========================================  =====
1 government, 3 media (blue V)              2
2 company, 4 campus, 5 website, 6 app,      3
7 organisation (blue V)
0 verified person (orange V), 200/220 达人   4
anything else, unverified                   None (the source's tier applies)
==========================================  =====
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.weibo.text import html_to_text, title_from_text
from crawler.weibo.times import parse_created_at

POST_CARD = 9
POST_URL = "https://m.weibo.cn/detail/{id}"
TIER_BY_VERIFIED_TYPE = {1: 2, 3: 2, 2: 3, 4: 3, 5: 3, 6: 3, 7: 3, 0: 4, 200: 4, 220: 4}
COUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*(万|亿)?\+?$")
COUNT_UNITS = {None: 1, "万": 10_000, "亿": 100_000_000}
REGION_PREFIX = "发布于"


@dataclass
class Post:
    """One Weibo post, as hotwatch stores it."""

    id: str
    bid: str
    url: str
    text: str
    title: str
    created_at: datetime | None
    author: str | None
    author_id: str | None
    tier: int | None
    reposts: int
    comments: int
    likes: int
    region: str | None = None  # the poster's IP province ("发布于 河南" → "河南")
    long_text: bool = False  # the API cut the text; /statuses/extend has all of it
    parent: Post | None = None  # the original this post reposts

    @property
    def parent_url(self) -> str | None:
        return self.parent.url if self.parent else None

    def with_long_text(self, html: str) -> None:
        """Replace the cut-off text with the full ``longTextContent``."""
        text = html_to_text(html)
        if text:
            self.text = text
            self.title = title_from_text(text) or self.title
        self.long_text = False


def posts_from_cards(cards: Any, *, now: datetime) -> Iterator[Post]:
    """Every post in ``cards`` (nested card groups included), in answer order."""
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == POST_CARD and isinstance(card.get("mblog"), dict):
            yield post_from_mblog(card["mblog"], now=now)
        yield from posts_from_cards(card.get("card_group"), now=now)


def post_from_mblog(mblog: dict[str, Any], *, now: datetime) -> Post:
    """A post (and its original, for a repost) from one ``mblog`` object."""
    post_id = str(mblog.get("id") or mblog.get("mid") or "")
    user = mblog.get("user") if isinstance(mblog.get("user"), dict) else {}
    text = html_to_text(mblog.get("text"))
    author = user.get("screen_name") or None
    retweeted = mblog.get("retweeted_status")
    return Post(
        id=post_id,
        bid=str(mblog.get("bid") or ""),
        url=POST_URL.format(id=post_id),
        text=text,
        title=title_from_text(text) or (f"{author}的微博" if author else "微博"),
        created_at=parse_created_at(mblog.get("created_at"), now=now),
        author=author,
        author_id=str(user["id"]) if user.get("id") is not None else None,
        tier=author_tier(user),
        reposts=parse_count(mblog.get("reposts_count")),
        comments=parse_count(mblog.get("comments_count")),
        likes=parse_count(mblog.get("attitudes_count")),
        region=region_of(mblog.get("region_name")),
        long_text=bool(mblog.get("isLongText")),
        parent=post_from_mblog(retweeted, now=now) if _is_post(retweeted) else None,
    )


def author_tier(user: dict[str, Any]) -> int | None:
    """The tier of an author's account (see the table in this module's docstring)."""
    if not user.get("verified"):
        return None
    verified_type = user.get("verified_type")
    return TIER_BY_VERIFIED_TYPE.get(verified_type) if isinstance(verified_type, int) else None


def parse_count(value: Any) -> int:
    """A count as the API writes it: 12, "12", "1.2万", "1万+", "100万+", or "" / "转发" (0)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return max(int(value), 0)
    match = COUNT.match(str(value or "").strip().replace(",", ""))
    if not match:
        return 0
    return round(float(match[1]) * COUNT_UNITS[match[2]])


def region_of(region_name: Any) -> str | None:
    """``发布于 河南`` → ``河南``."""
    if not isinstance(region_name, str):
        return None
    region = region_name.strip().removeprefix(REGION_PREFIX).strip()
    return region or None


def _is_post(value: Any) -> bool:
    """A deleted original comes back without an id (and with a notice as its text)."""
    return isinstance(value, dict) and bool(value.get("id") or value.get("mid"))
