"""What other contexts may use of identity: the caller, loaded in the use case's transaction.

Every protected function verifies the token itself (signature, issuer, audience, times) and then
re-reads the caller from the database, so a role change, suspension or deletion counts at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

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

__all__ = [
    "ADMIN",
    "ANY_ROLE",
    "HR",
    "HR_OR_ADMIN",
    "Caller",
    "Contact",
    "caller_transaction",
    "company_name",
    "user_contact",
]


@contextmanager
def caller_transaction(
    request: Request, roles: frozenset[str] | None = ANY_ROLE
) -> Iterator[tuple[Conn, Caller]]:
    """Verify the bearer token, then open the use case's transaction with the caller loaded."""
    claims = authenticate(request)
    with transaction() as conn:
        yield conn, load_caller(conn, claims.subject, correlation_id(), roles)


@dataclass(frozen=True, slots=True)
class Contact:
    """Whom mail about a user's work goes to, and in whose name it is sent."""

    user_id: UUID
    email: str
    first_name: str | None
    active: bool


def user_contact(conn: Conn, user_id: UUID) -> Contact | None:
    from shared.dal.sql import fetch_one  # noqa: PLC0415

    row = fetch_one(
        conn,
        "SELECT id, email::text AS email, first_name, status = 'active' AS active"
        " FROM identity.users WHERE id = %s",
        (user_id,),
    )
    if row is None:
        return None
    return Contact(row["id"], row["email"], row["first_name"], row["active"])


def company_name(conn: Conn, company_id: UUID) -> str | None:
    from shared.dal.sql import fetch_one  # noqa: PLC0415

    row = fetch_one(conn, "SELECT name FROM identity.companies WHERE id = %s", (company_id,))
    return str(row["name"]) if row else None
