"""Password hashes with scrypt (stdlib ``hashlib.scrypt``, OpenSSL's implementation).

Stored as ``scrypt$n$r$p$salt$hash`` (base64), so the cost can be raised later and old
hashes still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1  # about 16 MiB and 50 ms a hash: slow for guessing, fine for a login
LENGTH = 32
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, N, R, P)
    return "$".join(["scrypt", str(N), str(R), str(P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        given = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(given, expected)


def dummy_verify(password: str) -> None:
    """Spend a hash's time for an unknown user, so timing does not tell names apart."""
    _scrypt(password, b"0" * 16, N, R, P)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
        dklen=LENGTH,
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
