"""The user book in Elasticsearch (``<prefix>users``), for stores on a cluster: every web
server and CLI that uses the cluster sees the same users, tokens and sessions.

The same book as ``book.UserBook`` (same methods, same rules), kept as one small index
of documents read by id (realtime, no refresh wait):

* ``user:<name>``: role, scrypt hash, disabled, created_at, the digest of the current API
  token, and ``epoch``, raised when the user's sessions must end (password change,
  disabling): a session stores the epoch it began in, so ending every session of a user
  is one write that no search has to find first;
* ``token:<sha256>``: the token's user; ``session:<sha256>``: user, epoch, last seen;
* ``failure:<name:…|addr:…>``: failed logins for throttling; ``setting:secret``.

Users and their tokens kept per machine before (``users.sqlite3``) are moved in by
``migrate_local_book`` (``open_user_book`` runs it).
"""

from __future__ import annotations

import base64
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, ConflictError, NotFoundError, TransportError
from elasticsearch import ConnectionError as ClusterUnreachable

from hotwatch.users import rules
from hotwatch.users.book import FILE_NAME
from hotwatch.users.passwords import dummy_verify, hash_password, verify_password
from hotwatch.users.rules import BookRules, User, UserEntry, UserError

logger = logging.getLogger(__name__)

MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {"kind": {"type": "keyword"}, "name": {"type": "keyword"}},
}
ANY_USERS_SECONDS = 2.0  # asked on every request; a new first user locks within this
MOVED_SUFFIX = ".moved-to-elasticsearch"


class ElasticsearchUserBook(BookRules):
    """``UserBook``'s methods over ``<prefix>users`` on the store's cluster."""

    def __init__(self, client: Any, *, prefix: str, urls: list[str], replicas: int = 1) -> None:
        self.client = client
        self.index = f"{prefix}users"
        self.urls = urls
        self.replicas = replicas
        self.path = f"{', '.join(urls)} ({self.index})"  # shown where the file path was
        self._ready = False
        self._any: tuple[float, bool] = (-ANY_USERS_SECONDS, False)

    # -- reading ----------------------------------------------------------------------

    def any_users(self) -> bool:
        at, found = self._any
        if time.monotonic() - at < ANY_USERS_SECONDS:
            return found
        with self._errors():
            found = self.client.count(index=self.index, query=_kind("user"))["count"] > 0
        self._any = (time.monotonic(), found)
        return found

    def get(self, name: str) -> User | None:
        source = self._source(f"user:{name}")
        return _user(source) if source else None

    def list(self) -> list[User]:
        with self._errors():
            hits = self.client.search(
                index=self.index, query=_kind("user"), sort=[{"name": "asc"}], size=10_000
            )["hits"]["hits"]
        return [_user(hit["_source"]) for hit in hits]

    # -- changing ---------------------------------------------------------------------

    def add(self, name: str, role: str, password: str) -> User:
        rules.check_new_user(name, role, password)
        created = rules.now_iso()
        if not self._create(f"user:{name}", _user_source(name, role, hash_password(password),
                                                         created_at=created)):
            raise UserError(f"user {name!r} already exists")
        return User(name, role, created_at=created)

    def set_password(self, name: str, password: str) -> None:
        rules.check_password(password)
        self._change(name, end_sessions=True, password=hash_password(password))

    def set_role(self, name: str, role: str) -> None:
        rules.check_role(role)
        self._change(name, role=role)

    def disable(self, name: str, disabled: bool = True) -> None:
        self._change(name, end_sessions=disabled, disabled=disabled)

    def remove(self, name: str) -> None:
        source = self._source(f"user:{name}")
        if source is None:
            raise UserError(rules.no_user(name))
        self._delete(f"user:{name}", refresh=True)
        if source.get("token"):
            self._delete(f"token:{source['token']}")

    def new_token(self, name: str) -> str:
        self.require_active(name)
        token = rules.TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = rules.digest_of(token)
        self._put(f"token:{digest}", {"kind": "token", "name": name, "created_at": rules.now_iso()})
        old = self._change(name, token=digest).get("old_token")
        if old:
            self._delete(f"token:{old}")
        return token

    # -- authenticating ---------------------------------------------------------------

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(rules.TOKEN_PREFIX):
            return None
        digest = rules.digest_of(token)
        found = self._source(f"token:{digest}")
        source = self._source(f"user:{found['name']}") if found else None
        if source is None or source.get("disabled") or source.get("token") != digest:
            return None
        return _user(source)

    def login(self, name: str, password: str, client: str) -> User | None:
        keys = [f"name:{name}", f"addr:{client}"]
        self._check_throttle(keys)
        source = self._source(f"user:{name}")
        if source is None:
            dummy_verify(password)
        ok = source is not None and verify_password(password, str(source["password"]))
        if not ok or source is None or source.get("disabled"):
            self._fail(keys)
            return None
        self._delete(f"failure:{keys[0]}")
        return _user(source)

    def open_session(self, name: str) -> str:
        source = self._source(f"user:{name}") or {}
        session_id = secrets.token_urlsafe(32)
        self._put(f"session:{rules.digest_of(session_id)}", {
            "kind": "session", "name": name, "epoch": int(source.get("epoch", 0)),
            "seen_at": time.time(),
        })
        return session_id

    def user_for_session(self, session_id: str) -> User | None:
        now = time.time()
        doc_id = f"session:{rules.digest_of(session_id)}"
        session = self._source(doc_id)
        if session is None or float(session["seen_at"]) < now - rules.SESSION_IDLE:
            return None
        source = self._source(f"user:{session['name']}")
        if source is None or source.get("disabled"):
            return None
        if int(source.get("epoch", 0)) != int(session.get("epoch", 0)):
            return None  # ended by a password change or by disabling the user
        if now - float(session["seen_at"]) > 60:  # touch at most once a minute
            self._put(doc_id, {**session, "seen_at": now})
        return _user(source)

    def close_session(self, session_id: str) -> None:
        self._delete(f"session:{rules.digest_of(session_id)}")

    def secret(self) -> bytes:
        value = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        self._create("setting:secret", {"kind": "setting", "value": value})
        source = self._source("setting:secret")
        if source is None:
            raise UserError(f"the user book at {self.path} lost its secret; try again")
        return base64.b64decode(str(source["value"]))

    # -- moving a machine's users in ---------------------------------------------------

    def export_users(self) -> list[UserEntry]:
        """Every user with its hash and token digest, by name."""
        with self._errors():
            hits = self.client.search(
                index=self.index, query=_kind("user"), sort=[{"name": "asc"}], size=10_000
            )["hits"]["hits"]
        return [
            UserEntry(str(s["name"]), str(s["role"]), str(s["password"]),
                      bool(s.get("disabled")), str(s.get("created_at", "")), s.get("token"))
            for s in (hit["_source"] for hit in hits)
        ]

    def import_user(self, entry: UserEntry) -> bool:
        """Add a user of another book as it is (hash, token); ``False`` if the name is taken."""
        if not self._create(f"user:{entry.name}", _user_source(
            entry.name, entry.role, entry.password_hash, created_at=entry.created_at,
            disabled=entry.disabled, token=entry.token_digest,
        )):
            return False
        if entry.token_digest:
            self._put(f"token:{entry.token_digest}", {"kind": "token", "name": entry.name,
                                                      "created_at": entry.created_at})
        return True

    # -- internals --------------------------------------------------------------------

    def _check_throttle(self, keys: list[str]) -> None:
        now = time.time()
        for key in keys:
            row = self._source(f"failure:{key}")
            rules.refuse_if_locked(float(row["locked_until"]) if row else 0, now)

    def _fail(self, keys: list[str]) -> None:
        now = time.time()
        for key in keys:
            row = self._source(f"failure:{key}")
            kept = (int(row["count"]), float(row["first_at"])) if row else None
            count, first, locked = rules.failed_again(kept, now)
            self._put(f"failure:{key}", {"kind": "failure", "count": count,
                                         "first_at": first, "locked_until": locked})

    def _change(self, name: str, *, end_sessions: bool = False, **fields: Any) -> dict[str, Any]:
        """Change the user's document (optimistically: a concurrent change is retried)."""
        for _ in range(5):
            with self._errors():
                try:
                    found = self.client.get(index=self.index, id=f"user:{name}")
                except NotFoundError:
                    raise UserError(rules.no_user(name)) from None
                source = dict(found["_source"])
                old_token = source.get("token")
                source.update(fields)
                if end_sessions:
                    source["epoch"] = int(source.get("epoch", 0)) + 1
                try:
                    self.client.index(
                        index=self.index, id=f"user:{name}", document=source, refresh=True,
                        if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"],
                    )
                except ConflictError:
                    continue
            return {"old_token": old_token if old_token != source.get("token") else None}
        raise UserError(f"user {name!r} is being changed by someone else; try again")

    def _source(self, doc_id: str) -> dict[str, Any] | None:
        with self._errors():
            try:
                return dict(self.client.get(index=self.index, id=doc_id)["_source"])
            except NotFoundError:
                return None

    def _put(self, doc_id: str, source: dict[str, Any]) -> None:
        with self._errors():
            self.client.index(index=self.index, id=doc_id, document=source)

    def _create(self, doc_id: str, source: dict[str, Any]) -> bool:
        with self._errors():
            try:
                self.client.create(index=self.index, id=doc_id, document=source, refresh=True)
            except ConflictError:
                return False
        if doc_id.startswith("user:"):
            self._any = (-ANY_USERS_SECONDS, False)
        return True

    def _delete(self, doc_id: str, *, refresh: bool = False) -> None:
        with self._errors():
            try:
                self.client.delete(index=self.index, id=doc_id, refresh=refresh)
            except NotFoundError:
                pass
        if doc_id.startswith("user:"):
            self._any = (-ANY_USERS_SECONDS, False)

    def _ensure_index(self) -> None:
        if self._ready:
            return
        try:
            if not self.client.indices.exists(index=self.index):
                self.client.indices.create(
                    index=self.index, mappings=MAPPING,
                    settings={"number_of_shards": 1, "number_of_replicas": self.replicas},
                )
        except ApiError as error:
            if "resource_already_exists" not in str(error):
                raise
        self._ready = True

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            self._ensure_index()
            yield
        except (ApiError, TransportError) as error:
            if isinstance(error, (NotFoundError, ConflictError)):
                raise
            if isinstance(error, ClusterUnreachable):
                raise UserError(f"cannot reach Elasticsearch at {', '.join(self.urls)} for the "
                                "user book (is the cluster up?)") from error
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise UserError(f"the user book at {self.path} failed: {first[:200]}") from error


def migrate_local_book(book: ElasticsearchUserBook, data_dir: Path) -> int:
    """Move the users (and API tokens) of this machine's ``users.sqlite3`` into the
    shared book, keeping their password hashes; a name already there keeps the shared
    user (a warning names it). The file is renamed afterwards, so users removed from the
    shared book later do not come back. Returns how many users were moved."""
    path = Path(data_dir) / FILE_NAME
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT u.name, u.role, u.password, u.disabled, u.created_at, "
                "(SELECT digest FROM tokens t WHERE t.name = u.name LIMIT 1) FROM users u"
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error as error:
        raise UserError(f"cannot read the local user book {path}: {error}") from error
    moved = 0
    for name, role, password, disabled, created_at, token in rows:
        if book.import_user(UserEntry(str(name), str(role), str(password), bool(disabled),
                                      str(created_at), token)):
            moved += 1
        else:
            logger.warning("user %r of %s is already in the shared user book; kept that one",
                           name, path)
    try:
        path.rename(path.with_name(path.name + MOVED_SUFFIX))
    except FileNotFoundError:
        pass  # another process moved it at the same time
    logger.warning("moved %d user(s) from %s into the shared user book at %s",
                   moved, path, book.path)
    return moved


def _kind(kind: str) -> dict[str, Any]:
    return {"bool": {"filter": [{"term": {"kind": kind}}]}}


def _user_source(
    name: str, role: str, password: str, *, created_at: str, disabled: bool = False,
    token: str | None = None,
) -> dict[str, Any]:
    return {"kind": "user", "name": name, "role": role, "password": password,
            "disabled": disabled, "created_at": created_at, "token": token, "epoch": 0}


def _user(source: dict[str, Any]) -> User:
    return User(str(source["name"]), str(source["role"]), bool(source.get("disabled")),
                str(source.get("created_at", "")), bool(source.get("token")))
