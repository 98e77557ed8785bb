"""The layout the code promises: the API prints nothing and knows no click, and the CLI is a
thin skin with no import circle (commands import the shared context, never each other)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hotwatch"
API = sorted((PACKAGE / "api").glob("*.py"))
CLI = sorted((PACKAGE / "cli").glob("*.py"))
SHARED = {"context", "output"}  # what command modules may import from hotwatch.cli
# Lower-case names a command may take from the packages: output formats, not logic.
FORMATTERS = {"export_items"}
# Moves onto hotwatch.api.evaluate together with the evaluation options being added there.
NOT_YET_ON_THE_API: set[str] = set()


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import statement in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def cli_modules_imported(path: Path) -> set[str]:
    names = set()
    for module, imported in imports(path):
        if module == "hotwatch.cli":
            names.update(imported)
        elif module.startswith("hotwatch.cli."):
            names.add(module.removeprefix("hotwatch.cli."))
    return names


def test_there_are_modules_to_check():
    assert len(API) >= 8 and len(CLI) >= 10


@pytest.mark.parametrize("path", API, ids=lambda p: p.name)
def test_the_api_neither_prints_nor_uses_click(path):
    assert not [m for m, _ in imports(path) if m.split(".")[0] == "click"]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name)]
    assert "print" not in calls
    assert not [m for m, _ in imports(path) if m.startswith(("hotwatch.cli", "hotwatch.web"))]


@pytest.mark.parametrize("path", CLI, ids=lambda p: p.name)
def test_cli_modules_import_no_command_module(path):
    """Only main.py (and the package's __init__) gathers the commands, so nothing that a
    command imports can import a command back."""
    imported = cli_modules_imported(path)
    if path.stem == "__init__":
        assert imported <= {"main"}
    elif path.stem == "main":
        assert "main" not in imported
    elif path.stem in SHARED:
        assert imported == set(), f"{path.name} must import no other CLI module"
    else:
        assert imported <= SHARED, f"{path.name} imports {imported - SHARED}"


@pytest.mark.parametrize(
    "path",
    [p for p in CLI if p.stem not in {"__init__", "main", *SHARED, *NOT_YET_ON_THE_API}],
    ids=lambda p: p.name,
)
def test_commands_call_the_api_and_take_only_constants_and_types_from_the_packages(path):
    for module, names in imports(path):
        if module.split(".")[0] in {"analysis", "index", "reports"}:
            logic = [n for n in names if n[0].islower() and n not in FORMATTERS]
            assert logic == [], f"{path.name} calls {module}.{logic} instead of the API"
    source = path.read_text(encoding="utf-8")
    assert "open_store" not in source and "context.store" not in source
