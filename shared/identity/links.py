"""Emailed account links: verify an address, reset a password, confirm an email change.

A link's token is ``<id>.<signature>``: the row's id (base64url of its 16 bytes) and an HMAC of
the id and the purpose under the app key's ``account-link`` purpose. The database keeps only the
row (whose, what for, until when, used or not), never the token, and the notifications context
derives the same token from the id when it sends the mail. A token of one purpose never serves
another, and any change to a token breaks its signature.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Final

from shared.appkey import AppKey
from shared.identity.models import LinkPurpose

KEY_PURPOSE: Final = "account-link"
# How long each kind of link may be followed.
TTL_S: Final[dict[LinkPurpose, int]] = {
    "verify_email": 48 * 3600,
    "password_reset": 30 * 60,
    "email_change": 24 * 3600,
}
# Where each link opens in the web app (the token goes in the fragment, never to a server log).
PAGE: Final[dict[LinkPurpose, str]] = {
    "verify_email": "/verify-email",
    "password_reset": "/reset-password",
    "email_change": "/confirm-email",
}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token_for(key: AppKey, link_id: uuid.UUID, purpose: LinkPurpose) -> str:
    signature = key.sign(KEY_PURPOSE, purpose.encode() + b"|" + link_id.bytes)
    return f"{_b64(link_id.bytes)}.{signature}"


def link_id_of(key: AppKey, token: str, purpose: LinkPurpose) -> uuid.UUID | None:
    """The link's id when the token is one of ours for this purpose, else None."""
    head, _, signature = token.partition(".")
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 16:
        return None
    link_id = uuid.UUID(bytes=raw)
    if not key.verify(KEY_PURPOSE, purpose.encode() + b"|" + link_id.bytes, signature):
        return None
    return link_id


def url_for(key: AppKey, origin: str, link_id: uuid.UUID, purpose: LinkPurpose) -> str:
    return f"{origin.rstrip('/')}{PAGE[purpose]}#{token_for(key, link_id, purpose)}"
