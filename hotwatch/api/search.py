"""Search helpers shared by the CLI and the web page."""

from __future__ import annotations

from dataclasses import replace

from analysis.tags import hotlines, regions
from index import SearchQuery


def normalise_filters(query: SearchQuery) -> SearchQuery:
    """Map what people type to stored tag values: 市长热线 → 12345, 新乡 → 新乡市."""
    return replace(
        query,
        hotlines=tuple(_hotline(h) for h in query.hotlines),
        regions=tuple(_region(r) for r in query.regions),
    )


def _hotline(value: str) -> str:
    found = hotlines(value)
    return found[0] if found else value.strip()


def _region(value: str) -> str:
    found = regions(value)
    if not found:
        return value.strip()
    best = found[0]
    return best.get("county") or best.get("city") or best.get("province") or value.strip()
