"""Copying the users of one book into another, for ``hotwatch index copy``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class UserCopy:
    copied: int = 0
    kept: list[str] = field(default_factory=list)  # names the target had: left as they are


def copy_users(source: Any, target: Any) -> UserCopy:
    """Every user of ``source`` (role, password hash, disabled, API token) into ``target``;
    a name the target already has keeps the target's user. Sessions, failed-login counts
    and the cookie secret stay behind: users sign in again."""
    done = UserCopy()
    for entry in source.export_users():
        if target.import_user(entry):
            done.copied += 1
        else:
            done.kept.append(entry.name)
    return done
