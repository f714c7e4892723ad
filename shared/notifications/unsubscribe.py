"""One-click unsubscribe tokens: ``<base64url(kind:email)>.<HMAC>`` under the app key's
``unsubscribe`` purpose. Stateless (nothing to store per message) and bound to one address and
one kind; an address that unsubscribes is kept in preferences, so the token never expires."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from shared.appkey import AppKey

PURPOSE = "unsubscribe"
MAX_TOKEN_LENGTH = 600


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    email: str
    kind: str


def token_for(key: AppKey, email: str, kind: str) -> str:
    body = f"{kind}:{email.lower()}".encode()
    encoded = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    return f"{encoded}.{key.sign(PURPOSE, body)}"


def read_token(key: AppKey, token: str) -> Unsubscribe | None:
    """What a token unsubscribes, or None for a token we did not make."""
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return None
    encoded, signature = token.split(".")
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return None
    if not key.verify(PURPOSE, body, signature):
        return None
    kind, _, email = body.decode(errors="replace").partition(":")
    return Unsubscribe(email=email, kind=kind) if email and kind else None
