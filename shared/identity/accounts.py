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
from shared.identity import dal, passwords, verification
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
    verified: bool = True,
) -> UserOut:
    """An account. Public sign-up makes it unverified (``register_account``); an admin's or a
    script's account counts as verified."""
    user = dal.insert_user(
        conn, email, passwords.hash_password(password, hasher), role, verified=verified
    )
    emit(
        conn,
        "user.registered",
        UserRegistered(user_id=user.id, email=user.email, role=user.role),
        correlation_id,
    )
    if not verified:
        verification.request_verification(conn, user, correlation_id)
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
    is new or taken. A new email creates an unverified account and emails its verification link;
    a taken one emails its owner (a new link while unverified, else a note that someone tried)."""
    existing = dal.find_user_by_email(conn, email)
    if existing is not None:
        passwords.hash_password(password, hasher)  # equal work: timing reveals nothing either
        verification.request_verification(conn, existing, correlation_id)
        return RegistrationAccepted(email=email)
    # Taken by a concurrent sign-up between the look-up and the insert: the same answer.
    with contextlib.suppress(ConflictError):
        register(
            conn, email, password, correlation_id=correlation_id, hasher=hasher, verified=False
        )
    return RegistrationAccepted(email=email)


def _issue_pair(
    conn: Conn,
    user: UserRow,
    ring: KeyRing,
    settings: AuthSettings,
    *,
    family_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    family_started_at: datetime | None = None,
) -> TokenPair:
    now = datetime.now(UTC)
    if user.sessions_valid_after is not None:
        # `iat` has whole seconds and tokens issued up to the second sessions ended in are
        # refused: one issued within that second says the next (the leeway covers its nbf).
        now = max(now, user.sessions_valid_after.replace(microsecond=0) + timedelta(seconds=1))
    access = issue_access_token(
        ring,
        subject=str(user.id),
        role=user.role,
        issuer=settings.issuer,
        audience=settings.audience,
        ttl_s=settings.access_ttl_s,
        now=now,
    )
    refresh, refresh_hash = new_refresh_token()
    dal.insert_refresh_token(
        conn,
        user_id=user.id,
        token_hash=refresh_hash,
        family_id=family_id or uuid.uuid4(),
        parent_id=parent_id,
        ttl=timedelta(seconds=settings.refresh_ttl_s),
        family_started_at=family_started_at,
        family_max_age=timedelta(seconds=settings.refresh_family_max_age_s),
    )
    refresh_expires_in = min(settings.refresh_ttl_s, settings.refresh_family_max_age_s)
    if family_started_at is not None:
        left = family_started_at + timedelta(seconds=settings.refresh_family_max_age_s)
        refresh_expires_in = max(
            0, min(refresh_expires_in, int((left - datetime.now(UTC)).total_seconds()))
        )
    return TokenPair(
        access_token=access.token,
        expires_in=access.expires_in,
        refresh_token=refresh,
        refresh_expires_in=refresh_expires_in,
    )


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """An attempt admitted to password verification: already recorded as a failure, so a
    crash or a parallel attempt cannot verify without it counting."""

    id: int
    email: str
    source: str


def _pair_delay_s(failures: int, settings: AuthSettings) -> int:
    """Growing delays per (source, account): free up to the threshold, then doubling."""
    over = failures - settings.login_pair_free_failures
    if over < 0:
        return 0
    return int(min(settings.login_pair_base_delay_s * 2**over, settings.login_pair_max_delay_s))


def admit_login(conn: Conn, email: str, source: str, settings: AuthSettings) -> LoginAttempt:
    """Admit an attempt to password verification, or refuse it (429), in one step per account:
    the account's lock is held while the limits are read and the attempt is inserted, and the
    attempt counts as a failure until `complete_login` proves it right. Commit before verifying
    (the argon2 work happens outside the lock), so of N parallel wrong passwords at most the
    limit is verified.

    - per (source, account): the first `login_pair_free_failures` are free, then each attempt
      waits a doubling delay after the last failure;
    - per account (all sources): `login_max_failures_per_account` in the window lock the account
      softly: a source that signed in to it recently is not locked out (its own delays still
      apply), and a successful sign-in clears the failures;
    - per source (all accounts): `login_max_failures_per_source` in the window."""
    dal.lock_login_account(conn, email)
    dal.lock_login_source(conn, source)
    window = settings.login_window_s
    pair = dal.recent_failures(conn, column="pair", email=email, source=source, window_s=window)
    delay = _pair_delay_s(pair.count, settings)
    if delay and pair.newest_age_s < delay:
        raise RateLimitedError(int(delay - pair.newest_age_s) + 1)
    if not dal.is_known_source(conn, email, source, settings.login_known_source_days):
        account = dal.recent_failures(conn, column="email", value=email, window_s=window)
        if account.count >= settings.login_max_failures_per_account:
            raise RateLimitedError(int(window - account.oldest_age_s) + 1)
    by_source = dal.recent_failures(conn, column="source", value=source, window_s=window)
    if by_source.count >= settings.login_max_failures_per_source:
        raise RateLimitedError(int(window - by_source.oldest_age_s) + 1)
    attempt_id = dal.record_login_attempt(conn, email, source, succeeded=False)
    return LoginAttempt(attempt_id, email, source)


def complete_login(
    conn: Conn,
    attempt: LoginAttempt,
    password: str,
    *,
    ring_source: Callable[[], KeyRing],
    settings: AuthSettings,
    hasher: PasswordHasher | None = None,
) -> TokenPair | None:
    """Verify an admitted attempt: a token pair, or None when the credentials are wrong (the
    attempt stays a failure). The same work is done for unknown emails."""
    user = dal.find_user_by_email(conn, attempt.email)
    ok = passwords.verify_password(user.password_hash if user else None, password, hasher)
    if not ok or user is None or user.status != "active":
        return None
    if user.email_verified_at is None:
        # The right password for an address never proven: no tokens until it is. The handler
        # records the attempt as a success (`forgive_attempt`: it was no guess), then 403.
        raise verification.EmailNotVerifiedError
    dal.mark_login_succeeded(conn, attempt.id, attempt.email)
    return _issue_pair(conn, user, ring_source(), settings)


def forgive_attempt(conn: Conn, attempt: LoginAttempt) -> None:
    """An attempt with the right password refused for another reason does not count as a
    failure."""
    dal.mark_login_succeeded(conn, attempt.id, attempt.email)


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
    """Admission and verification in the caller's one transaction (scripts, benchmarks,
    tests): the login handler commits the admission first, so the lock is not held during
    argon2 and parallel requests see each other's attempts."""
    attempt = admit_login(conn, email, source, settings)
    return complete_login(
        conn, attempt, password, ring_source=ring_source, settings=settings, hasher=hasher
    )


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
    now = datetime.now(UTC)
    family_ends = row.family_started_at + timedelta(seconds=settings.refresh_family_max_age_s)
    if user is None or user.status != "active" or row.expires_at <= now or family_ends <= now:
        dal.revoke_family(conn, row.family_id)
        return RefreshOutcome(None)
    dal.mark_rotated(conn, row.id)
    return RefreshOutcome(
        _issue_pair(
            conn,
            user,
            ring_source(),
            settings,
            family_id=row.family_id,
            parent_id=row.id,
            family_started_at=row.family_started_at,
        )
    )


def logout(conn: Conn, caller: Caller, token: str) -> None:
    """Revoke the refresh token's family (idempotent; someone else's token is left alone), and
    deny the access token the caller presented until it expires."""
    row = dal.lock_refresh_token(conn, hash_refresh_token(token))
    if row is not None and row.user_id == caller.id:
        dal.revoke_family(conn, row.family_id)
    if caller.token_id is not None and caller.token_expires_at is not None:
        dal.deny_access_token(conn, caller.token_id, caller.id, caller.token_expires_at)


def admit_registration(conn: Conn, source: str, settings: AuthSettings) -> None:
    """Count a sign-up against its source (429 past the limit), before any argon2 work."""
    retry_after = dal.admit_register_attempt(
        conn, source, window_s=settings.register_window_s, limit=settings.register_max_per_source
    )
    if retry_after is not None:
        raise RateLimitedError(int(retry_after) + 1, "Too many sign-ups; try again later.")
