"""Identity use cases: decisions over the data access, one transaction per call.

Each function takes the open connection (its transaction is the use case's), the caller, and
what it needs; events go to the outbox in the same transaction as the change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from pydantic import BaseModel

from shared.auth import passwords
from shared.auth.errors import AuthenticationError, PermissionDeniedError, RateLimitedError
from shared.auth.keys import KeyRing
from shared.auth.settings import AuthSettings
from shared.auth.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from shared.errors import ConflictError, NotFoundError
from shared.events import enqueue, new_event
from shared.identity import dal
from shared.identity.dal import Conn, TenantScope
from shared.identity.models import (
    CompanyCreate,
    CompanyOut,
    MemberOut,
    ProfileUpdate,
    RegistrationAccepted,
    Role,
    TokenPair,
    UserOut,
    UserRow,
)
from shared.models.events.identity import (
    CompanyCreated,
    CompanyMemberAdded,
    UserActivated,
    UserDeleted,
    UserRegistered,
    UserRoleSelected,
    UserSuspended,
    UserUpdated,
)

EVENT_SOURCE = "identity"


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


def _emit(
    conn: Conn,
    event_type: str,
    payload: BaseModel,
    correlation_id: str,
    tenant_id: uuid.UUID | None = None,
) -> None:
    enqueue(
        conn,
        new_event(
            event_type,
            payload,
            source=EVENT_SOURCE,
            correlation_id=correlation_id,
            tenant_id=tenant_id,
        ),
    )


# ---- who is calling ------------------------------------------------------------------------
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


# ---- register, login, refresh, logout ------------------------------------------------------
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
    _emit(
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


# ---- me, role, profile ---------------------------------------------------------------------
def select_role(conn: Conn, caller: Caller, role: Role) -> UserOut:
    user = dal.get_user(conn, caller.id, lock=True)
    if user.role != "pending":
        raise ConflictError("The role has already been chosen.")
    dal.set_role(conn, user.id, role)
    _emit(
        conn,
        "user.role_selected",
        UserRoleSelected(user_id=user.id, role=role, previous_role=user.role, actor_id=caller.id),
        caller.correlation_id,
    )
    return UserOut.of(dal.get_user(conn, user.id))


def update_profile(conn: Conn, caller: Caller, update: ProfileUpdate) -> UserOut:
    changes: dict[str, str | None] = update.model_dump(include=update.model_fields_set)
    return _change_profile(conn, caller, changes)


def _change_profile(conn: Conn, caller: Caller, changes: dict[str, str | None]) -> UserOut:
    dal.update_profile(conn, caller.id, changes)
    _emit(
        conn,
        "user.updated",
        UserUpdated(user_id=caller.id, changed_fields=sorted(changes), actor_id=caller.id),
        caller.correlation_id,
        caller.user.company_id,
    )
    return UserOut.of(dal.get_user(conn, caller.id))


def set_avatar(conn: Conn, caller: Caller, key: str) -> UserOut:
    return _change_profile(conn, caller, {"avatar_key": key})


# ---- admin ---------------------------------------------------------------------------------
def admin_change_role(conn: Conn, caller: Caller, user_id: uuid.UUID, role: Role) -> UserOut:
    user = dal.get_user(conn, user_id, lock=True)
    if user.role != role:
        dal.set_role(conn, user.id, role)
        _emit(
            conn,
            "user.role_selected",
            UserRoleSelected(
                user_id=user.id, role=role, previous_role=user.role, actor_id=caller.id
            ),
            caller.correlation_id,
        )
    return UserOut.of(dal.get_user(conn, user_id))


def admin_set_status(conn: Conn, caller: Caller, user_id: uuid.UUID, status: str) -> UserOut:
    """Suspend, activate or (soft) delete; repeating a call changes nothing and emits nothing."""
    user = dal.get_user(conn, user_id, lock=True)
    if user.id == caller.id:
        raise ConflictError("Admins cannot change their own status.")
    if user.status == "deleted" and status != "deleted":
        raise ConflictError("A deleted user cannot be changed.")
    if user.status == status:
        return UserOut.of(user)
    payloads: dict[str, tuple[str, BaseModel]] = {
        "suspended": ("user.suspended", UserSuspended(user_id=user.id, actor_id=caller.id)),
        "active": ("user.activated", UserActivated(user_id=user.id, actor_id=caller.id)),
        "deleted": ("user.deleted", UserDeleted(user_id=user.id, actor_id=caller.id)),
    }
    event_type, payload = payloads[status]
    dal.set_status(conn, user.id, status)  # type: ignore[arg-type]
    if status != "active":
        dal.revoke_user_tokens(conn, user.id)
    _emit(conn, event_type, payload, caller.correlation_id, user.company_id)
    return UserOut.of(dal.get_user(conn, user_id))


# ---- companies -----------------------------------------------------------------------------
def create_company(conn: Conn, caller: Caller, request: CompanyCreate) -> CompanyOut:
    if caller.user.company_id is not None:
        raise ConflictError("The caller already belongs to a company.")
    company = dal.insert_company(
        conn,
        owner_id=caller.id,
        name=request.name,
        website=request.website,
        industry=request.industry,
        size_band=request.size_band,
    )
    dal.insert_member(conn, company.id, caller.id, "owner")
    _emit(
        conn,
        "company.created",
        CompanyCreated(company_id=company.id, name=company.name, actor_id=caller.id),
        caller.correlation_id,
        company.id,
    )
    _emit(
        conn,
        "company.member_added",
        CompanyMemberAdded(
            company_id=company.id, user_id=caller.id, role="owner", actor_id=caller.id
        ),
        caller.correlation_id,
        company.id,
    )
    return company


def _manageable_company(conn: Conn, caller: Caller, company_id: uuid.UUID) -> CompanyOut:
    """The company if the caller may manage it: 404 outside their tenant, 403 for a member
    who is not the owner."""
    company = dal.get_company(conn, company_id, caller.scope(), lock=True)
    if caller.role != "admin" and company.owner_id != caller.id:
        raise PermissionDeniedError("Only the company's owner can do this.")
    return company


def add_member(conn: Conn, caller: Caller, company_id: uuid.UUID, user_id: uuid.UUID) -> MemberOut:
    company = _manageable_company(conn, caller, company_id)
    if not company.active:
        raise ConflictError("The company is deactivated.")
    target = dal.find_user(conn, user_id)
    if target is None or target.status != "active" or target.role != "hr":
        raise NotFoundError("No active HR user with this id.")
    dal.insert_member(conn, company.id, target.id, "member")
    _emit(
        conn,
        "company.member_added",
        CompanyMemberAdded(
            company_id=company.id, user_id=target.id, role="member", actor_id=caller.id
        ),
        caller.correlation_id,
        company.id,
    )
    return dal.get_member(conn, company.id, target.id, caller.scope())


def remove_member(conn: Conn, caller: Caller, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
    company = _manageable_company(conn, caller, company_id)
    member = dal.get_member(conn, company.id, user_id, caller.scope())
    if member.member_role == "owner" or member.user_id == company.owner_id:
        raise ConflictError("The company's owner cannot be removed.")
    dal.delete_member(conn, company.id, user_id)


def deactivate_company(conn: Conn, caller: Caller, company_id: uuid.UUID) -> CompanyOut:
    company = _manageable_company(conn, caller, company_id)
    dal.deactivate_company(conn, company.id)
    return dal.get_company(conn, company.id, caller.scope())


# ---- idempotency ---------------------------------------------------------------------------
def request_hash(body: BaseModel) -> bytes:
    return hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    ).digest()


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: Any


def idempotent(
    conn: Conn,
    scope: str,
    key: str | None,
    *,
    body: BaseModel,
    status_code: int,
    run: Callable[[], BaseModel],
) -> Replay:
    """Run a creating request once per (caller, Idempotency-Key): a replay with the same body
    gets the stored response; a different body with the same key is a conflict."""
    if key is None:
        return Replay(status_code, run().model_dump(mode="json"))
    digest = request_hash(body)
    stored = dal.lock_idempotency_key(conn, scope, key)
    if stored is not None:
        if stored.request_hash != digest:
            raise ConflictError("This Idempotency-Key was used with a different request.")
        return Replay(stored.status_code, stored.body)
    result = run().model_dump(mode="json")
    dal.store_idempotent_response(
        conn, scope, key, request_hash=digest, status_code=status_code, body=result
    )
    return Replay(status_code, result)
