"""The ``hotwatch`` command, one module per command group; ``main`` is the entry point.

The command modules load on first use: the console script imports ``main`` from here,
and so does every analysis worker process the crawl spawns (it re-imports the main
module), which then needs none of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotwatch.cli.main import cli

__all__ = ["cli", "main"]


def main() -> None:
    import_module("hotwatch.cli.main").main()


def __getattr__(name: str) -> Any:
    if name == "cli":
        return import_module("hotwatch.cli.main").cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
