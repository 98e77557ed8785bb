"""hotwatch: news and public-opinion incidents about government-hotline service failures.

The Python API lives in ``hotwatch.api``; its names are importable from here too:

    from hotwatch import Hotwatch

They load on first use, so ``import hotwatch.config`` (or the demo site) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotwatch.api import *  # noqa: F403

_API_NAMES = frozenset(
    {
        "REPORT_FORMATS",
        "CrawlResult",
        "DemoResult",
        "DigestDraft",
        "FlushResult",
        "Hotwatch",
        "IncidentDetail",
        "IndexMaintenance",
        "IndexStatus",
        "IngestResult",
        "InputError",
        "LocalDocument",
        "RecrawlResult",
        "RecrawlRow",
        "ReindexResult",
        "SourceSummary",
        "evaluate",
        "render_incident_report",
        "write_config",
    }
)


def __getattr__(name: str) -> Any:
    if name not in _API_NAMES:
        raise AttributeError(f"module 'hotwatch' has no attribute {name!r}")
    from hotwatch import api

    return getattr(api, name)
