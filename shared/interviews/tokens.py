"""Invitation link tokens: 256 random bits, shown once, stored only as a SHA-256 hash.

A high-entropy random token needs no slow hash: guessing one is as hard as guessing the key
space, so a plain SHA-256 lookup is safe and keeps the candidate's requests fast.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.appkey import AppKey

TOKEN_BYTES = 32
# base64url of 32 bytes, no padding.
TOKEN_LENGTH = 43
TOKEN_HEADER = "X-Invitation-Token"  # noqa: S105 - a header name, not a secret


def new_link_token() -> tuple[str, bytes]:
    """A fresh token and the hash to store."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def looks_like_token(value: str) -> bool:
    """A cheap shape check before touching the database (any other value is a 404)."""
    if len(value) != TOKEN_LENGTH:
        return False
    return all(ch.isalnum() or ch in "-_" for ch in value)


LINK_SEAL = "link-seal"


def seal_with_app_key(invitation_id: uuid.UUID, token: str) -> bytes:
    """The token sealed under the platform's app key, bound to its invitation (read on first
    use: creating the first invitation reads the key, importing this module does not)."""
    from shared.appkey import app_key  # noqa: PLC0415 - the key's code on first use

    return app_key().seal(LINK_SEAL, token.encode(), invitation_id.bytes)


def open_sealed(key: AppKey, invitation_id: uuid.UUID, sealed: bytes) -> str:
    return key.open(LINK_SEAL, sealed, invitation_id.bytes).decode()
