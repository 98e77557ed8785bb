"""hotwatch: news and public-opinion incidents about government-hotline service failures.

The Python API lives in ``hotwatch.api``; its names are importable from here too:

    from hotwatch import Hotwatch

They load on first use, so ``import hotwatch.config`` (or the demo site) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotwatch.api import *  # noqa: F403


def __getattr__(name: str) -> Any:
    # import_module, not "from hotwatch import api", which would ask this hook for "api"
    api = import_module("hotwatch.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'hotwatch' has no attribute {name!r}")
