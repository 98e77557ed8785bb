"""Where and when an incident's reports are: the place and week keys a store indexes
incidents under, and the tests of place and time that placement applies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

WINDOW = timedelta(days=45)
NOWHERE = "*"


class Located(Protocol):
    regions: list[dict[str, str]]
    categories: list[str]


def place_key(place: str, week: int | None) -> str:
    return f"p:{place}:{'-' if week is None else week}"


def any_time_key(place: str) -> str:
    return f"p:{place}"


def nearby_keys(places: set[str], moment: datetime | None) -> list[str]:
    """Keys of incidents a follow-up could join: its places, weeks within the window or undated.

    An undated document may join any incident of its places.
    """
    if moment is None:
        return sorted(any_time_key(place) for place in places)
    weeks = range(week_of(moment - WINDOW), week_of(moment + WINDOW) + 1)
    return sorted(place_key(place, week) for place in places for week in (*weeks, None))


def places_of(regions: list[dict[str, str]]) -> set[str]:
    if not regions:
        return {NOWHERE}
    best = regions[0]
    return {best.get("city") or best.get("province") or NOWHERE}


def provinces_of(regions: list[dict[str, str]]) -> set[str]:
    return {regions[0]["province"]} if regions and regions[0].get("province") else set()


def spot_of(doc: Located) -> str | None:
    """ "county|failure kind"; a city is too big (many reports of one kind in a week)."""
    if not doc.regions or not doc.categories or not doc.regions[0].get("county"):
        return None
    return f"{doc.regions[0]['county']}|{doc.categories[0]}"


def week_of(moment: datetime) -> int:
    return int(moment.timestamp() // 604_800)


def within_window(
    moment: datetime | None,
    last_seen: datetime | None,
    window: timedelta = WINDOW,
    *,
    undated: bool = True,
) -> bool:
    if moment is None or last_seen is None:
        return undated
    return abs(moment - last_seen) <= window
