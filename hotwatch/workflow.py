"""``[workflow]`` of hotwatch.toml: how long each risk level may wait for a response.

    [workflow.deadlines]
    red = "5h"       # 重大舆情: authoritative information within five hours
    orange = "24h"
    yellow = "3d"

A level without a deadline never falls overdue. The clock starts when the
incident's first report appeared (its ``first_seen``), not when hotwatch noticed it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from analysis.risk import LEVELS

DEFAULT_DEADLINES: Mapping[str, timedelta] = {
    "red": timedelta(hours=5),
    "orange": timedelta(hours=24),
    "yellow": timedelta(days=3),
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class WorkflowError(ValueError):
    """A ``[workflow]`` table that cannot be used; the message is one line."""


def parse_duration(text: Any) -> timedelta:
    """``"5h"``, ``"30m"``, ``"3d"`` (or ``"1.5h"``) as a timedelta."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or float(match.group(1)) <= 0:
        raise WorkflowError(f"{text!r} is not a duration such as \"5h\", \"30m\" or \"3d\"")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


def parse_workflow(raw: Any) -> dict[str, timedelta]:
    """The deadline per risk level of a ``[workflow]`` table (defaults for missing levels;
    ``"none"`` removes one)."""
    if not isinstance(raw, Mapping):
        raise WorkflowError("[workflow] must be a table")
    unknown = set(raw) - {"deadlines"}
    if unknown:
        raise WorkflowError(f"[workflow] has unknown key(s): {', '.join(sorted(unknown))}")
    given = raw.get("deadlines", {})
    if not isinstance(given, Mapping):
        raise WorkflowError("[workflow.deadlines] must be a table")
    deadlines = dict(DEFAULT_DEADLINES)
    for level, text in given.items():
        if level not in LEVELS:
            raise WorkflowError(
                f"[workflow.deadlines] has no level {level!r} (choose from {', '.join(LEVELS)})"
            )
        if text == "none":
            deadlines.pop(level, None)
            continue
        try:
            deadlines[level] = parse_duration(text)
        except WorkflowError as error:
            raise WorkflowError(f"[workflow.deadlines] {level}: {error}") from None
    return deadlines
