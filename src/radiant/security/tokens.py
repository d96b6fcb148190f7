"""Bearer tokens: high-entropy random strings, shown once, stored only as a SHA-256 hash.

A token looks like ``rad_<8 hex>_<43 url-safe characters>`` (256 random bits). The first
part (``rad_<8 hex>``) is its *prefix*: kept in clear so a list of tokens can say which is
which, useless to an attacker. With that much entropy a plain SHA-256 is the right hash;
password stretching would only slow every request down.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["IssuedToken", "hash_token", "new_token", "same_hash"]

_PREFIX = "rad"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    #: the token itself: show it once, never store it
    secret: str
    prefix: str
    token_hash: str


def new_token(kind: str = _PREFIX) -> IssuedToken:
    prefix = f"{kind}_{secrets.token_hex(4)}"
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    return IssuedToken(secret=secret, prefix=prefix, token_hash=hash_token(secret))


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(secret: str, token_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(secret), token_hash)
