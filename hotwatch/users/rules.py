"""What a user is and the rules every user book keeps, whichever store it lives in
(``book.UserBook`` beside SQLite, ``elasticsearch_book.ElasticsearchUserBook``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from hotwatch.users.passwords import MIN_PASSWORD_LENGTH

ROLES = ("viewer", "analyst", "admin")
ROLE_NAMES = {"viewer": "只读", "analyst": "处置", "admin": "管理员"}
NAME = re.compile(r"^[\w.\-]{1,32}$")
MAX_FAILURES = 5
WINDOW = 15 * 60
LOCK = 15 * 60
SESSION_IDLE = 12 * 3600
TOKEN_PREFIX = "hw_"


class UserError(ValueError):
    """A user command or login cannot be done; the message is one line."""


class LoginThrottled(UserError):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed logins; try again in {max(1, seconds // 60)} min")
        self.seconds = seconds


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False
    created_at: str = ""
    has_token: bool = False

    def may(self, role: str) -> bool:
        return role_allows(self.role, role)


@dataclass(frozen=True)
class UserEntry:
    """A user as a book keeps it, to move between books: the scrypt hash, not the password,
    and the digest of the API token, not the token."""

    name: str
    role: str
    password_hash: str
    disabled: bool
    created_at: str
    token_digest: str | None


def role_allows(have: str, need: str) -> bool:
    """Whether a user of role ``have`` may do what needs role ``need``."""
    return ROLES.index(have) >= ROLES.index(need)


class BookRules:
    """What both books do alike on top of their own ``get``."""

    def get(self, name: str) -> User | None:
        raise NotImplementedError

    def require_active(self, name: str) -> User:
        """The enabled user ``name``, or a one-line ``UserError``."""
        user = self.get(name)
        if user is None:
            raise UserError(no_user(name))
        if user.disabled:
            raise UserError(f"user {name!r} is disabled")
        return user


def check_new_user(name: str, role: str, password: str) -> None:
    """Raise a one-line ``UserError`` unless a user may be added with these."""
    if not NAME.match(name):
        raise UserError(
            f"bad user name {name!r}: 1-32 letters, digits, '.', '-' or '_' (Chinese is fine)"
        )
    check_role(role)
    check_password(password)


def check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (choose from {', '.join(ROLES)})")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


def refuse_if_locked(locked_until: float, now: float) -> None:
    """``LoginThrottled`` while a name or address is locked."""
    if locked_until > now:
        raise LoginThrottled(int(locked_until - now))


def failed_again(kept: tuple[int, float] | None, now: float) -> tuple[int, float, float]:
    """What to keep after one more failed login, (count, first_at, locked_until), from
    the (count, first_at) kept so far: failures count within ``WINDOW``; the
    ``MAX_FAILURES``-th locks for ``LOCK`` seconds and the count starts again."""
    count, first = (kept[0] + 1, kept[1]) if kept and kept[1] > now - WINDOW else (1, now)
    locked = now + LOCK if count >= MAX_FAILURES else 0
    return (0 if locked else count), first, locked


def no_user(name: str) -> str:
    return f"no user {name!r} (see: hotwatch users list)"


def digest_of(secret: str) -> str:
    """What a book keeps of a token or session id: its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
