"""Authentication at the HTTP edge: the bearer token, verified, and where the request came from.

A verified token says who the caller claims to be; the caller as the database says they are now
is identity's business (`shared.identity.public.caller_transaction`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.auth.errors import AuthenticationError
from shared.auth.factory import key_store, verifier
from shared.auth.tokens import Claims

if TYPE_CHECKING:
    from fastapi import Request

__all__ = ["authenticate", "bearer_token", "key_store", "source_address", "verifier"]


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("A bearer token is required.")
    return token.strip()


def authenticate(request: Request) -> Claims:
    return verifier().verify(bearer_token(request))


def source_address(request: Request) -> str:
    """The caller's address as API Gateway saw it (the socket peer when run in-process)."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    source = event.get("requestContext", {}).get("identity", {}).get("sourceIp")
    if isinstance(source, str) and source:
        return source[:64]
    return request.client.host if request.client else "unknown"
