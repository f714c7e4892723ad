"""Who is calling: the token's subject re-read from the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.auth.errors import AuthenticationError
from shared.dal.sql import Conn, TenantScope
from shared.errors import PermissionDeniedError
from shared.identity import dal
from shared.identity.models import Role, UserRow


class CompanyDeactivatedError(PermissionDeniedError):
    """The caller's company is deactivated: it may read (and export), nothing new is made."""

    type_slug = "company-deactivated"
    title = "Company deactivated"


class EmailNotVerifiedError(PermissionDeniedError):
    """The account's email is not confirmed: what only that address proves is refused (a
    sign-in, the invitations and data of that email)."""

    type_slug = "email-not-verified"
    title = "Email not verified"


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller, as the database (not the token) says they are now."""

    user: UserRow
    correlation_id: str
    # The presented access token's id and expiry (logout denies it until then).
    token_id: str | None = None
    token_expires_at: datetime | None = None
    # Who issued the presented token (ours, or a linked OIDC issuer).
    token_issuer: str | None = None

    @property
    def id(self) -> uuid.UUID:
        return self.user.id

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def company_deactivated(self) -> bool:
        return self.user.company_id is not None and self.user.company_active is False

    def scope(self) -> TenantScope:
        if self.role == "admin":
            return TenantScope(company_id=None, all_companies=True)
        return TenantScope(company_id=self.user.company_id)


def user_id_for(conn: Conn, issuer: str, subject: str, *, our_issuer: str) -> uuid.UUID:
    """Our user behind a token: our own tokens carry our user id; another issuer's (iss, sub)
    counts only through an explicit link (never by its sub, whatever it looks like)."""
    if issuer != our_issuer:
        linked = dal.find_linked_user(conn, issuer, subject)
        if linked is None:
            raise AuthenticationError
        return linked
    try:
        return uuid.UUID(subject)
    except ValueError as exc:
        raise AuthenticationError from exc


def load_caller(
    conn: Conn,
    subject: str,
    correlation_id: str,
    allowed_roles: frozenset[str] | None = None,
    *,
    issuer: str | None = None,
    our_issuer: str | None = None,
    token_id: str | None = None,
    token_expires_at: datetime | None = None,
    token_issued_at: datetime | None = None,
) -> Caller:
    """Re-check the token's subject against the database: suspended or deleted users are
    refused everywhere, a logged-out access token is refused, and the role that counts is the
    stored one."""
    if issuer is not None and our_issuer is not None:
        user_id = user_id_for(conn, issuer, subject, our_issuer=our_issuer)
    else:
        try:
            user_id = uuid.UUID(subject)
        except ValueError as exc:
            raise AuthenticationError from exc
    if token_id is not None and dal.is_access_token_denied(conn, token_id):
        raise AuthenticationError
    user = dal.find_user(conn, user_id)
    if user is None or user.status == "deleted":
        raise AuthenticationError
    if user.status == "suspended":
        raise PermissionDeniedError("The account is suspended.")
    if _issued_before_sessions_ended(user, issuer, our_issuer, token_issued_at):
        raise AuthenticationError
    if allowed_roles is not None and user.role not in allowed_roles:
        raise PermissionDeniedError("The caller's role may not do this.")
    return Caller(user, correlation_id, token_id, token_expires_at, issuer)


def _issued_before_sessions_ended(
    user: UserRow, issuer: str | None, our_issuer: str | None, issued_at: datetime | None
) -> bool:
    """A password reset ends every session: our access tokens issued before it are refused
    (``iat`` has whole seconds, so one issued in the reset's own second is refused too: a
    login right after a reset may need to be repeated a second later, never the reverse)."""
    if user.sessions_valid_after is None:
        return False
    if issuer is not None and our_issuer is not None and issuer != our_issuer:
        return False  # another issuer's sessions are that issuer's to end
    if issued_at is None:
        return True
    return issued_at <= user.sessions_valid_after.replace(microsecond=0)


def ensure_email_verified(caller: Caller, detail: str) -> None:
    """Anyone can sign up with any address: what belongs to an email (the invitations sent to
    it, their data) is the account's only once it confirmed the address (403
    ``email-not-verified``, one problem type for every such route)."""
    if caller.user.email_verified_at is None:
        raise EmailNotVerifiedError(detail)


def ensure_company_may_change(caller: Caller) -> None:
    """A deactivated company's HR may read; every change of the tenant's data is refused."""
    if caller.role == "hr" and caller.company_deactivated:
        raise CompanyDeactivatedError(
            "The company is deactivated: its data can be read, nothing can be created or"
            " changed until an administrator reactivates it."
        )
