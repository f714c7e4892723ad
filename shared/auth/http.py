"""The HTTP edge of authentication: the app factory, the bearer check, the caller's transaction.

Every protected function verifies the token itself (signature, issuer, audience, times) and then
re-reads the caller from the database, so a role change, suspension or deletion counts at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.auth.errors import AuthenticationError, RateLimitedError
from shared.auth.factory import key_store, verifier
from shared.auth.tokens import Claims
from shared.dal.db import get_pool
from shared.events.relay import transaction_with_events
from shared.http.app import create_app
from shared.http.problems import problem_response
from shared.identity.dal import Conn
from shared.identity.logic import Caller, load_caller
from shared.observability import logger

ANY_ROLE: frozenset[str] | None = None
HR = frozenset({"hr"})
HR_OR_ADMIN = frozenset({"hr", "admin"})
ADMIN = frozenset({"admin"})

__all__ = ["key_store", "verifier"]


def create_identity_app(title: str) -> FastAPI:
    """`create_app` plus the answers only authentication gives: 401 with WWW-Authenticate and
    429 with Retry-After."""
    app = create_app(title)

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(request: Request, exc: AuthenticationError) -> JSONResponse:
        response = problem_response(
            401, exc.detail, slug=exc.type_slug, title=exc.title, instance=request.url.path
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="interview-platform"'
        return response

    @app.exception_handler(RateLimitedError)
    async def _rate_limited(request: Request, exc: RateLimitedError) -> JSONResponse:
        response = problem_response(
            429, exc.detail, slug=exc.type_slug, title=exc.title, instance=request.url.path
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    return app


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("A bearer token is required.")
    return token.strip()


def authenticate(request: Request) -> Claims:
    return verifier().verify(bearer_token(request))


def correlation_id() -> str:
    return str(logger.get_correlation_id() or "none")


def source_address(request: Request) -> str:
    """The caller's address as API Gateway saw it (the socket peer when run in-process)."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    source = event.get("requestContext", {}).get("identity", {}).get("sourceIp")
    if isinstance(source, str) and source:
        return source[:64]
    return request.client.host if request.client else "unknown"


@contextmanager
def transaction() -> Iterator[Conn]:
    """The use case's transaction; its events are published right after the commit."""
    with transaction_with_events(get_pool()) as conn:
        yield conn


@contextmanager
def caller_transaction(
    request: Request, roles: frozenset[str] | None = ANY_ROLE
) -> Iterator[tuple[Conn, Caller]]:
    """Verify the bearer token, then open the use case's transaction with the caller loaded."""
    claims = authenticate(request)
    with transaction() as conn:
        yield conn, load_caller(conn, claims.subject, correlation_id(), roles)
