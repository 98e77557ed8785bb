"""Checking the values of hotwatch.toml's tables: each table read into its dataclass with
its fields' types, unknown keys and duplicate names refused; every problem is a
``ConfigError`` of one line that names the table and key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any


class ConfigError(Exception):
    """A configuration problem the user can fix; the message is one line."""


def check_number(table: dict[str, Any], key: str, kind: Any, minimum: float, label: str) -> None:
    value = table.get(key)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, kind) or value < minimum
    ):
        raise ConfigError(f"{label}: {key} must be a number of at least {minimum}, not {value!r}")


def table_of(cls: Any, raw: Any, label: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{label} must be a table")
    names = {f.name: f for f in fields(cls)}
    reject_unknown(raw, set(names), label)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        default = names[key].default
        values[key] = coerce(value, names[key].type, f"{label}.{key}", default)
    try:
        return cls(**values)
    except TypeError as error:
        raise ConfigError(f"{label}: {error}") from error


def coerce(value: Any, annotation: Any, label: str, default: Any) -> Any:
    kind = str(annotation)
    if kind.startswith("tuple"):
        if isinstance(value, str) or not isinstance(value, list):
            raise ConfigError(f"{label} must be a list")
        return tuple(str(v) for v in value)
    if "Mapping" in kind:
        if not isinstance(value, dict):
            raise ConfigError(f"{label} must be a table")
        return {str(k): str(v) for k, v in value.items()}
    expected = type(default) if default is not None and not callable(default) else None
    if kind == "bool" and not isinstance(value, bool):
        raise ConfigError(f"{label} must be true or false")
    if kind in ("int", "float", "int | None") and (
        isinstance(value, bool) or not isinstance(value, (int, float))
    ):
        raise ConfigError(f"{label} must be a number")
    if kind == "str" and not isinstance(value, str):
        raise ConfigError(f"{label} must be a string")
    return expected(value) if expected in (int, float) else value


def reject_unknown(raw: Mapping[str, Any], known: set[str], label: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{label}: unknown key {unknown[0]!r}")


def unique_names(names: list[str], label: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{label}: duplicate name {name!r}")
        seen.add(name)


def plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value
