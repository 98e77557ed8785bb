"""The ``hotwatch`` command, one module per command group; ``main`` is the entry point."""

from hotwatch.cli.main import cli, main

__all__ = ["cli", "main"]
