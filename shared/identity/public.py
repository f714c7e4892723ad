"""What other contexts may use of identity: the caller, loaded in the use case's transaction.

Every protected function verifies the token itself (signature, issuer, audience, times) and then
re-reads the caller from the database, so a role change, suspension, deletion or logout counts
at once. Tenant routes (those for HR) that change anything are refused for a deactivated
company here, in one place: a route that must stay open (erasure, removing access) says so with
`ALLOWED_WHEN_DEACTIVATED`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from shared.auth.http import authenticate
from shared.auth.settings import get_auth_settings
from shared.dal.db import transaction
from shared.dal.sql import Conn
from shared.identity.caller import (
    Caller,
    EmailNotVerifiedError,
    ensure_company_may_change,
    ensure_email_verified,
    load_caller,
)
from shared.observability import correlation_id

if TYPE_CHECKING:
    from fastapi import Request

    from shared.appkey import AppKey
    from shared.identity.skill_models import SkillRef

ANY_ROLE: frozenset[str] | None = None
HR = frozenset({"hr"})
HR_OR_ADMIN = frozenset({"hr", "admin"})
ADMIN = frozenset({"admin"})
CANDIDATE = frozenset({"candidate"})
# A route's openapi_extra: its change stays allowed while the caller's company is deactivated.
DEACTIVATED_MARK = "x-allowed-when-company-deactivated"
ALLOWED_WHEN_DEACTIVATED: dict[str, Any] = {DEACTIVATED_MARK: True}
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# FastAPI `responses=` for a rate-limited route (scripts/openapi.py gives it the problem schema).
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many attempts: problem+json with a Retry-After header"}
}

__all__ = [
    "ADMIN",
    "ALLOWED_WHEN_DEACTIVATED",
    "ANY_ROLE",
    "CANDIDATE",
    "HR",
    "HR_OR_ADMIN",
    "RATE_LIMITED",
    "Caller",
    "Contact",
    "EmailNotVerifiedError",
    "account_link_url",
    "caller_transaction",
    "company_is_active",
    "company_name",
    "company_names",
    "company_owner",
    "ensure_email_verified",
    "skill_refs",
    "user_contact",
]


def _allowed_when_deactivated(request: Request) -> bool:
    if request.method in _READS:
        return True
    extra = getattr(request.scope.get("route"), "openapi_extra", None) or {}
    return bool(extra.get(DEACTIVATED_MARK))


@contextmanager
def caller_transaction(
    request: Request, roles: frozenset[str] | None = ANY_ROLE
) -> Iterator[tuple[Conn, Caller]]:
    """Verify the bearer token, then open the use case's transaction with the caller loaded."""
    claims = authenticate(request)
    with transaction() as conn:
        caller = load_caller(
            conn,
            claims.subject,
            correlation_id(),
            roles,
            issuer=claims.issuer,
            our_issuer=get_auth_settings().issuer,
            token_id=claims.token_id,
            token_expires_at=claims.expires_at,
            token_issued_at=claims.issued_at,
        )
        # Tenant routes only (those open to HR): a user's own account stays theirs.
        if roles is not None and "hr" in roles and not _allowed_when_deactivated(request):
            ensure_company_may_change(caller)
        yield conn, caller


def company_is_active(conn: Conn, company_id: object) -> bool:
    """Whether a company takes new work (a missing company does not)."""
    from shared.identity.dal import company_active  # noqa: PLC0415 - only the candidate path

    return company_active(conn, company_id)


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


def account_link_url(
    conn: Conn, key: AppKey, origin: str, link_id: UUID, purpose: str
) -> str | None:
    """An emailed account link's URL in the web app, while it can still be followed."""
    from shared.identity.verification import account_link_url  # noqa: PLC0415

    return account_link_url(conn, key, origin, link_id, purpose)  # type: ignore[arg-type]


def company_name(conn: Conn, company_id: UUID) -> str | None:
    from shared.dal.sql import fetch_one  # noqa: PLC0415

    row = fetch_one(conn, "SELECT name FROM identity.companies WHERE id = %s", (company_id,))
    return str(row["name"]) if row else None


def company_owner(conn: Conn, company_id: UUID) -> Contact | None:
    """The company's owner (who manages its subscription and hears about its billing)."""
    from shared.dal.sql import fetch_one  # noqa: PLC0415

    row = fetch_one(
        conn,
        "SELECT u.id, u.email::text AS email, u.first_name, u.status = 'active' AS active"
        " FROM identity.companies c JOIN identity.users u ON u.id = c.owner_id WHERE c.id = %s",
        (company_id,),
    )
    if row is None:
        return None
    return Contact(row["id"], row["email"], row["first_name"], row["active"])


def company_names(conn: Conn, company_ids: list[UUID]) -> dict[UUID, str]:
    """Each company's name (missing companies are absent)."""
    from shared.dal.sql import fetch_all  # noqa: PLC0415

    rows = fetch_all(
        conn,
        "SELECT id, name FROM identity.companies WHERE id = ANY(%s)",
        (list(dict.fromkeys(company_ids)),),
    )
    return {r["id"]: str(r["name"]) for r in rows}


def skill_refs(conn: Conn, skill_ids: list[UUID]) -> dict[UUID, SkillRef]:
    """Each skill of the taxonomy by id, with its name, category and whether it is retired
    (unknown ids are absent)."""
    from shared.identity.skills_dal import skill_refs  # noqa: PLC0415 - only template skills

    return skill_refs(conn, list(dict.fromkeys(skill_ids)))
