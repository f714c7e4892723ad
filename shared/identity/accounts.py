"""Accounts: sign-up, login (with its rate limit), refresh-token rotation, logout."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher

from shared.auth.errors import RateLimitedError
from shared.auth.keys import KeyRing
from shared.auth.settings import AuthSettings
from shared.auth.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from shared.dal.sql import Conn
from shared.errors import ConflictError
from shared.identity import dal, passwords
from shared.identity.caller import Caller
from shared.identity.events import emit
from shared.identity.models import RegistrationAccepted, Role, TokenPair, UserOut, UserRow
from shared.models.events.identity import UserRegistered


def register(
    conn: Conn,
    email: str,
    password: str,
    *,
    correlation_id: str,
    hasher: PasswordHasher | None = None,
    role: Role = "pending",
) -> UserOut:
    user = dal.insert_user(conn, email, passwords.hash_password(password, hasher), role)
    emit(
        conn,
        "user.registered",
        UserRegistered(user_id=user.id, email=user.email, role=user.role),
        correlation_id,
    )
    return UserOut.of(user)


def register_account(
    conn: Conn,
    email: str,
    password: str,
    *,
    correlation_id: str,
    hasher: PasswordHasher | None = None,
) -> RegistrationAccepted:
    """Sign-up as callers see it: the same answer, after the same argon2 work, whether the email
    is new or taken; only a new email creates an account (and a user.registered event)."""
    if dal.find_user_by_email(conn, email) is not None:
        passwords.hash_password(password, hasher)  # equal work: timing reveals nothing either
        return RegistrationAccepted(email=email)
    # Taken by a concurrent sign-up between the look-up and the insert: the same answer.
    with contextlib.suppress(ConflictError):
        register(conn, email, password, correlation_id=correlation_id, hasher=hasher)
    return RegistrationAccepted(email=email)


def _issue_pair(
    conn: Conn,
    user: UserRow,
    ring: KeyRing,
    settings: AuthSettings,
    *,
    family_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
) -> TokenPair:
    access = issue_access_token(
        ring,
        subject=str(user.id),
        role=user.role,
        issuer=settings.issuer,
        audience=settings.audience,
        ttl_s=settings.access_ttl_s,
    )
    refresh, refresh_hash = new_refresh_token()
    dal.insert_refresh_token(
        conn,
        user_id=user.id,
        token_hash=refresh_hash,
        family_id=family_id or uuid.uuid4(),
        parent_id=parent_id,
        ttl=timedelta(seconds=settings.refresh_ttl_s),
    )
    return TokenPair(
        access_token=access.token,
        expires_in=access.expires_in,
        refresh_token=refresh,
        refresh_expires_in=settings.refresh_ttl_s,
    )


def check_login_rate(conn: Conn, email: str, source: str, settings: AuthSettings) -> None:
    """Refuse (429) once an account or a source has too many recent failures."""
    for column, value, limit in (
        ("email", email, settings.login_max_failures_per_account),
        ("source", source, settings.login_max_failures_per_source),
    ):
        failures = dal.recent_failures(
            conn, column=column, value=value, window_s=settings.login_window_s
        )
        if failures.count >= limit:
            raise RateLimitedError(int(settings.login_window_s - failures.oldest_age_s) + 1)


def login(
    conn: Conn,
    email: str,
    password: str,
    *,
    source: str,
    ring_source: Callable[[], KeyRing],
    settings: AuthSettings,
    hasher: PasswordHasher | None = None,
) -> TokenPair | None:
    """A token pair, or None when the credentials are wrong (the caller records the failure in
    its own transaction, so it survives the 401). The same work is done for unknown emails."""
    check_login_rate(conn, email, source, settings)
    user = dal.find_user_by_email(conn, email)
    ok = passwords.verify_password(user.password_hash if user else None, password, hasher)
    if not ok or user is None or user.status != "active":
        return None
    dal.record_login_attempt(conn, email, source, succeeded=True)
    return _issue_pair(conn, user, ring_source(), settings)


def record_failed_login(conn: Conn, email: str, source: str) -> None:
    dal.record_login_attempt(conn, email, source, succeeded=False)


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    pair: TokenPair | None
    reuse_detected: bool = False


def refresh(
    conn: Conn, token: str, ring_source: Callable[[], KeyRing], settings: AuthSettings
) -> RefreshOutcome:
    """Rotate: the presented token is spent and a new one of the same family is issued.
    Presenting a spent (or revoked) token again is reuse: the whole family is revoked."""
    row = dal.lock_refresh_token(conn, hash_refresh_token(token))
    if row is None:
        return RefreshOutcome(None)
    if row.rotated_at is not None or row.revoked_at is not None:
        dal.revoke_family(conn, row.family_id)
        return RefreshOutcome(None, reuse_detected=row.rotated_at is not None)
    user = dal.find_user(conn, row.user_id)
    if user is None or user.status != "active" or row.expires_at <= datetime.now(UTC):
        dal.revoke_family(conn, row.family_id)
        return RefreshOutcome(None)
    dal.mark_rotated(conn, row.id)
    return RefreshOutcome(
        _issue_pair(conn, user, ring_source(), settings, family_id=row.family_id, parent_id=row.id)
    )


def logout(conn: Conn, caller: Caller, token: str) -> None:
    """Revoke the refresh token's family (idempotent; someone else's token is left alone)."""
    row = dal.lock_refresh_token(conn, hash_refresh_token(token))
    if row is not None and row.user_id == caller.id:
        dal.revoke_family(conn, row.family_id)
