"""Where the server may listen: loopback freely, anywhere else only with named users or
an access token.

Kept free of Flask so that ``hotwatch --help`` and the other commands never import it.
"""

from __future__ import annotations

import ipaddress

MIN_TOKEN_LENGTH = 16
TOKEN_ENV = "HOTWATCH_WEB_TOKEN"


class ListenError(ValueError):
    """The server must not start with these settings; the message is one line."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen(host: str, token: str | None, users_exist: bool = False) -> None:
    """Refuse to listen beyond loopback without users or a token, or with a guessable token."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ListenError(
            f"the access token must be at least {MIN_TOKEN_LENGTH} characters "
            "(try: python -c 'import secrets; print(secrets.token_urlsafe(24))')"
        )
    if not is_loopback(host) and not token and not users_exist:
        raise ListenError(
            f"listening on {host} needs users (hotwatch users add NAME --role admin) or an "
            f"access token ({TOKEN_ENV} or --token); or keep the default --host 127.0.0.1"
        )
