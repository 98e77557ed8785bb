"""Named users of the web page and the PR desk: roles, passwords, API tokens, sessions.

Kept in ``users.sqlite3`` in the data directory (see ``book.UserBook``), shared by every
web worker and CLI on this machine. Until the first user is added, the page works as
before (loopback freely, or the shared access token).
"""

from hotwatch.users.book import (
    ROLES,
    LoginThrottled,
    User,
    UserBook,
    UserError,
    role_allows,
)

__all__ = ["ROLES", "LoginThrottled", "User", "UserBook", "UserError", "role_allows"]
