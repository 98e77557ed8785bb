"""The user book: ``users.sqlite3`` in the data directory.

Users have a role (``viewer`` reads, ``analyst`` also changes incident handling,
``admin`` also manages users), a scrypt password hash, at most one API token (kept as
its SHA-256) and server-side sessions, so logging out, a password change or disabling
a user ends sessions at once, in every web worker. Failed logins are counted per name
and per client address; after ``MAX_FAILURES`` within ``WINDOW`` seconds that name or
address is refused for ``LOCK`` seconds.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotwatch.users.passwords import dummy_verify, hash_password, verify_password
from hotwatch.users.rules import (
    SESSION_IDLE,
    TOKEN_PREFIX,
    BookRules,
    User,
    UserEntry,
    UserError,
    check_new_user,
    check_password,
    check_role,
    digest_of,
    failed_again,
    no_user,
    now_iso,
    refuse_if_locked,
)

FILE_NAME = "users.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, seen_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, first_at REAL NOT NULL,
    locked_until REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


class UserBook(BookRules):
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self._ready = False

    # -- reading ----------------------------------------------------------------------

    def any_users(self) -> bool:
        """Whether anyone was ever added (then every page needs a login)."""
        if not self.path.exists():
            return False
        with self._db() as db:
            return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def get(self, name: str) -> User | None:
        with self._db() as db:
            row = db.execute(
                "SELECT name, role, disabled, created_at, "
                "EXISTS(SELECT 1 FROM tokens t WHERE t.name = u.name) FROM users u "
                "WHERE name = ?", (name,),
            ).fetchone()
        return _user(row) if row else None

    def list(self) -> list[User]:
        with self._db() as db:
            rows = db.execute(
                "SELECT name, role, disabled, created_at, "
                "EXISTS(SELECT 1 FROM tokens t WHERE t.name = u.name) FROM users u ORDER BY name"
            ).fetchall()
        return [_user(row) for row in rows]

    def export_users(self) -> list[UserEntry]:
        """Every user with its hash and token digest, by name (none without the file)."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute(
                "SELECT u.name, u.role, u.password, u.disabled, u.created_at, "
                "(SELECT digest FROM tokens t WHERE t.name = u.name LIMIT 1) FROM users u "
                "ORDER BY u.name"
            ).fetchall()
        return [
            UserEntry(str(name), str(role), str(password), bool(disabled), str(created), token)
            for name, role, password, disabled, created, token in rows
        ]

    # -- changing ---------------------------------------------------------------------

    def add(self, name: str, role: str, password: str) -> User:
        check_new_user(name, role, password)
        with self._db(write=True) as db:
            try:
                db.execute(
                    "INSERT INTO users (name, role, password, created_at) VALUES (?, ?, ?, ?)",
                    (name, role, hash_password(password), now_iso()),
                )
            except sqlite3.IntegrityError as error:
                raise UserError(f"user {name!r} already exists") from error
        return User(name, role, created_at=now_iso())

    def import_user(self, entry: UserEntry) -> bool:
        """Add a user of another book as it is (hash, token); ``False`` if the name is taken."""
        with self._db(write=True) as db:
            try:
                db.execute(
                    "INSERT INTO users (name, role, password, disabled, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (entry.name, entry.role, entry.password_hash, int(entry.disabled),
                     entry.created_at),
                )
            except sqlite3.IntegrityError:
                return False
            if entry.token_digest:
                db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)",
                           (entry.token_digest, entry.name, entry.created_at))
        return True

    def set_password(self, name: str, password: str) -> None:
        """A new password; every session of the user ends."""
        check_password(password)
        self._update(name, "UPDATE users SET password = ? WHERE name = ?",
                     hash_password(password), name)
        self._end_sessions(name)

    def set_role(self, name: str, role: str) -> None:
        check_role(role)
        self._update(name, "UPDATE users SET role = ? WHERE name = ?", role, name)

    def disable(self, name: str, disabled: bool = True) -> None:
        """Disable (or enable) a user: a disabled user's sessions end and tokens stop."""
        self._update(name, "UPDATE users SET disabled = ? WHERE name = ?", int(disabled), name)
        if disabled:
            self._end_sessions(name)

    def remove(self, name: str) -> None:
        self._update(name, "DELETE FROM users WHERE name = ?", name)
        with self._db(write=True) as db:
            db.execute("DELETE FROM tokens WHERE name = ?", (name,))
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def new_token(self, name: str) -> str:
        """A new API token for ``name`` (replacing the previous one); shown only now."""
        self.require_active(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db(write=True) as db:
            db.execute("DELETE FROM tokens WHERE name = ?", (name,))
            db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (digest_of(token), name, now_iso()))
        return token

    # -- authenticating ---------------------------------------------------------------

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or not self.path.exists():
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT name FROM tokens WHERE digest = ?", (digest_of(token),)
            ).fetchone()
        user = self.get(row[0]) if row else None
        return user if user and not user.disabled else None

    def login(self, name: str, password: str, client: str) -> User | None:
        """The user when name and password match; ``None`` when not (the failure is
        counted); raises ``LoginThrottled`` while the name or the address is locked."""
        keys = [f"name:{name}", f"addr:{client}"]
        self._check_throttle(keys)
        with self._db(write=True) as db:
            row = db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            dummy_verify(password)
        user = self.get(name) if row and verify_password(password, row[0]) else None
        if user is None or user.disabled:
            self._fail(keys)
            return None
        with self._db(write=True) as db:
            db.execute("DELETE FROM failures WHERE key = ?", (keys[0],))
        return user

    def open_session(self, name: str) -> str:
        session_id = secrets.token_urlsafe(32)
        with self._db(write=True) as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)",
                       (digest_of(session_id), name, time.time()))
            db.execute("DELETE FROM sessions WHERE seen_at < ?", (time.time() - SESSION_IDLE,))
        return session_id

    def user_for_session(self, session_id: str) -> User | None:
        now = time.time()
        with self._db() as db:
            row = db.execute(
                "SELECT name, seen_at FROM sessions WHERE digest = ?", (digest_of(session_id),)
            ).fetchone()
        if row is None or row[1] < now - SESSION_IDLE:
            return None
        if now - row[1] > 60:  # touch at most once a minute
            with self._db(write=True) as db:
                db.execute("UPDATE sessions SET seen_at = ? WHERE digest = ?",
                           (now, digest_of(session_id)))
        user = self.get(row[0])
        return user if user and not user.disabled else None

    def close_session(self, session_id: str) -> None:
        with self._db(write=True) as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (digest_of(session_id),))

    def secret(self) -> bytes:
        """A random key kept in the book, so every web worker signs cookies alike."""
        with self._db(write=True) as db:
            row = db.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()
            if row:
                return bytes(row[0])
            value = secrets.token_bytes(32)
            db.execute("INSERT OR IGNORE INTO settings VALUES ('secret', ?)", (value,))
            row = db.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()
            return bytes(row[0])

    # -- internals --------------------------------------------------------------------

    def _check_throttle(self, keys: list[str]) -> None:
        now = time.time()
        with self._db() as db:
            for key in keys:
                row = db.execute(
                    "SELECT locked_until FROM failures WHERE key = ?", (key,)
                ).fetchone()
                refuse_if_locked(row[0] if row else 0, now)

    def _fail(self, keys: list[str]) -> None:
        now = time.time()
        with self._db(write=True) as db:
            for key in keys:
                row = db.execute(
                    "SELECT count, first_at FROM failures WHERE key = ?", (key,)
                ).fetchone()
                db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?)",
                           (key, *failed_again(row, now)))

    def _end_sessions(self, name: str) -> None:
        with self._db(write=True) as db:
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def _update(self, name: str, sql: str, *params: object) -> None:
        with self._db(write=True) as db:
            if db.execute(sql, params).rowcount == 0:
                raise UserError(no_user(name))

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A transaction; ``write`` takes the write lock at once (no upgrade deadlocks)."""
        fresh = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise UserError(f"cannot open the user book {self.path}: {error}") from error
        try:
            if fresh:
                os.chmod(self.path, 0o600)  # password hashes and session digests
            if fresh or not self._ready:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
                self._ready = True
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise UserError(f"the user book {self.path} failed: {error}") from error
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()


def _user(row: tuple[object, ...]) -> User:
    return User(str(row[0]), str(row[1]), bool(row[2]), str(row[3]), bool(row[4]))
