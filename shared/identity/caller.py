"""Who is calling: the token's subject re-read from the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.auth.errors import AuthenticationError
from shared.dal.sql import Conn, TenantScope
from shared.errors import PermissionDeniedError
from shared.identity import dal
from shared.identity.models import Role, UserRow


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller, as the database (not the token) says they are now."""

    user: UserRow
    correlation_id: str

    @property
    def id(self) -> uuid.UUID:
        return self.user.id

    @property
    def role(self) -> Role:
        return self.user.role

    def scope(self) -> TenantScope:
        if self.role == "admin":
            return TenantScope(company_id=None, all_companies=True)
        return TenantScope(company_id=self.user.company_id)


def load_caller(
    conn: Conn, subject: str, correlation_id: str, allowed_roles: frozenset[str] | None = None
) -> Caller:
    """Re-check the token's subject against the database: suspended or deleted users are
    refused everywhere, and the role that counts is the stored one."""
    try:
        user_id = uuid.UUID(subject)
    except ValueError as exc:
        raise AuthenticationError from exc
    user = dal.find_user(conn, user_id)
    if user is None or user.status == "deleted":
        raise AuthenticationError
    if user.status == "suspended":
        raise PermissionDeniedError("The account is suspended.")
    if allowed_roles is not None and user.role not in allowed_roles:
        raise PermissionDeniedError("The caller's role may not do this.")
    return Caller(user, correlation_id)
