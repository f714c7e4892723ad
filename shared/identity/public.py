"""What other contexts may use of identity: the caller, loaded in the use case's transaction.

Every protected function verifies the token itself (signature, issuer, audience, times) and then
re-reads the caller from the database, so a role change, suspension or deletion counts at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from shared.auth.http import authenticate
from shared.dal.db import transaction
from shared.dal.sql import Conn
from shared.identity.caller import Caller, load_caller
from shared.observability import correlation_id

if TYPE_CHECKING:
    from fastapi import Request

ANY_ROLE: frozenset[str] | None = None
HR = frozenset({"hr"})
HR_OR_ADMIN = frozenset({"hr", "admin"})
ADMIN = frozenset({"admin"})

__all__ = ["ADMIN", "ANY_ROLE", "HR", "HR_OR_ADMIN", "Caller", "caller_transaction"]


@contextmanager
def caller_transaction(
    request: Request, roles: frozenset[str] | None = ANY_ROLE
) -> Iterator[tuple[Conn, Caller]]:
    """Verify the bearer token, then open the use case's transaction with the caller loaded."""
    claims = authenticate(request)
    with transaction() as conn:
        yield conn, load_caller(conn, claims.subject, correlation_id(), roles)
