"""Identity's data access: the only module that speaks SQL to the identity schema.

Every function takes the caller's connection, so a use case's writes (and its outbox rows) share
one transaction. Tenant-owned reads take the caller's tenant scope and filter by it in SQL.
"""

# SQL here is built only from this module's constant fragments; values always go as parameters.
# ruff: noqa: S608
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg import errors as pg_errors

from shared.dal.sql import Conn, TenantScope, fetch_all, fetch_one
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.identity.models import AccountLinkRow, CompanyOut, MemberOut, Role, Status, UserRow

_USER_COLUMNS = """
u.id, u.email::text AS email, u.password_hash, u.role, u.status, u.first_name, u.last_name,
u.phone, u.bio, u.timezone, u.language, u.avatar_key, u.created_at, u.updated_at,
u.email_verified_at, u.sessions_valid_after, m.company_id, c.active AS company_active
"""
_LINK_COLUMNS = (
    "id, user_id, purpose, new_email::text AS new_email, created_at, expires_at, used_at"
)
_USER_FROM = (
    "identity.users u LEFT JOIN identity.company_members m ON m.user_id = u.id"
    " LEFT JOIN identity.companies c ON c.id = m.company_id"
)


# ---- users ---------------------------------------------------------------------------------
def insert_user(
    conn: Conn, email: str, password_hash: str, role: Role = "pending", *, verified: bool = True
) -> UserRow:
    try:
        with conn.transaction():
            row = fetch_one(
                conn,
                "INSERT INTO identity.users (email, password_hash, role, email_verified_at)"
                " VALUES (%s, %s, %s, CASE WHEN %s THEN now() END) RETURNING id",
                (email, password_hash, role, verified),
            )
    except pg_errors.UniqueViolation as exc:
        raise ConflictError("An account with this email cannot be created.") from exc
    assert row is not None
    return get_user(conn, row["id"])


def find_user_by_email(conn: Conn, email: str) -> UserRow | None:
    row = fetch_one(conn, f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE u.email = %s", (email,))
    return UserRow.model_validate(row) if row else None


def find_user(conn: Conn, user_id: uuid.UUID, *, lock: bool = False) -> UserRow | None:
    suffix = " FOR UPDATE OF u" if lock else ""
    row = fetch_one(
        conn, f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE u.id = %s{suffix}", (user_id,)
    )
    return UserRow.model_validate(row) if row else None


def get_user(conn: Conn, user_id: uuid.UUID, *, lock: bool = False) -> UserRow:
    user = find_user(conn, user_id, lock=lock)
    if user is None:
        raise NotFoundError("No such user.")
    return user


def set_role(conn: Conn, user_id: uuid.UUID, role: Role) -> None:
    conn.execute(
        "UPDATE identity.users SET role = %s, updated_at = now() WHERE id = %s", (role, user_id)
    )


def set_status(conn: Conn, user_id: uuid.UUID, status: Status) -> None:
    conn.execute(
        "UPDATE identity.users SET status = %s, updated_at = now(),"
        " deleted_at = CASE WHEN %s = 'deleted' THEN now() ELSE deleted_at END WHERE id = %s",
        (status, status, user_id),
    )


_PROFILE_FIELDS = ("first_name", "last_name", "phone", "bio", "timezone", "language", "avatar_key")


def update_profile(conn: Conn, user_id: uuid.UUID, changes: dict[str, str | None]) -> None:
    fields = [f for f in changes if f in _PROFILE_FIELDS]
    if not fields:
        return
    assignments = ", ".join(f"{f} = %({f})s" for f in fields)
    conn.execute(
        f"UPDATE identity.users SET {assignments}, updated_at = now() WHERE id = %(id)s".encode(),
        {**{f: changes[f] for f in fields}, "id": user_id},
    )


def encode_cursor(created_at: datetime, user_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{user_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnprocessableError("The cursor is not valid.") from exc


def list_users(
    conn: Conn,
    *,
    role: Role | None,
    status: Status | None,
    email_prefix: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[UserRow], str | None]:
    """Newest first, keyset-paginated on (created_at, id)."""
    after = decode_cursor(cursor) if cursor else None
    rows = fetch_all(
        conn,
        f"SELECT {_USER_COLUMNS} FROM {_USER_FROM}"
        " WHERE (%(role)s::text IS NULL OR u.role = %(role)s)"
        " AND (%(status)s::text IS NULL OR u.status = %(status)s)"
        " AND (%(prefix)s::text IS NULL OR u.email LIKE %(prefix)s || '%%')"
        " AND (%(after_at)s::timestamptz IS NULL"
        " OR (u.created_at, u.id) < (%(after_at)s, %(after_id)s))"
        " ORDER BY u.created_at DESC, u.id DESC LIMIT %(limit)s",
        {
            "role": role,
            "status": status,
            "prefix": email_prefix.replace("%", r"\%").replace("_", r"\_")
            if email_prefix
            else None,
            "after_at": after[0] if after else None,
            "after_id": after[1] if after else None,
            "limit": limit + 1,
        },
    )
    users = [UserRow.model_validate(r) for r in rows[:limit]]
    next_cursor = encode_cursor(users[-1].created_at, users[-1].id) if len(rows) > limit else None
    return users, next_cursor


# ---- refresh tokens ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RefreshRow:
    id: uuid.UUID
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None
    family_started_at: datetime


def insert_refresh_token(
    conn: Conn,
    *,
    user_id: uuid.UUID,
    token_hash: bytes,
    family_id: uuid.UUID,
    parent_id: uuid.UUID | None,
    ttl: timedelta,
    family_started_at: datetime | None = None,
    family_max_age: timedelta | None = None,
) -> None:
    """A token of a family; it never outlives the family's absolute lifetime."""
    conn.execute(
        "INSERT INTO identity.refresh_tokens"
        " (user_id, family_id, parent_id, token_hash, expires_at, family_started_at)"
        " SELECT %(user)s, %(family)s, %(parent)s, %(hash)s,"
        " LEAST(now() + %(ttl)s, started + COALESCE(%(max_age)s, %(ttl)s)), started"
        " FROM (SELECT COALESCE(%(started)s::timestamptz, now()) AS started) s",
        {
            "user": user_id,
            "family": family_id,
            "parent": parent_id,
            "hash": token_hash,
            "ttl": ttl,
            "max_age": family_max_age,
            "started": family_started_at,
        },
    )


def lock_refresh_token(conn: Conn, token_hash: bytes) -> RefreshRow | None:
    row = fetch_one(
        conn,
        "SELECT id, user_id, family_id, expires_at, rotated_at, revoked_at, family_started_at"
        " FROM identity.refresh_tokens WHERE token_hash = %s FOR UPDATE",
        (token_hash,),
    )
    return RefreshRow(**row) if row else None


def mark_rotated(conn: Conn, token_id: uuid.UUID) -> None:
    conn.execute("UPDATE identity.refresh_tokens SET rotated_at = now() WHERE id = %s", (token_id,))


def revoke_family(conn: Conn, family_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE identity.refresh_tokens SET revoked_at = now()"
        " WHERE family_id = %s AND revoked_at IS NULL",
        (family_id,),
    )


def revoke_user_tokens(conn: Conn, user_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE identity.refresh_tokens SET revoked_at = now()"
        " WHERE user_id = %s AND revoked_at IS NULL",
        (user_id,),
    )


# ---- login attempts ------------------------------------------------------------------------
def lock_login_account(conn: Conn, email: str) -> None:
    """Serialise admissions for one account (transaction-level), so the count and the insert
    of an attempt are one step: parallel attempts cannot all read the same count."""
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 5))", (f"login|{email.lower()}",)
    )


def lock_login_source(conn: Conn, source: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 5))", (f"source|{source}",))


def record_login_attempt(conn: Conn, email: str, source: str, *, succeeded: bool) -> int:
    row = fetch_one(
        conn,
        "INSERT INTO identity.login_attempts (email, source, succeeded) VALUES (%s, %s, %s)"
        " RETURNING id",
        (email, source[:64], succeeded),
    )
    assert row is not None
    return int(row["id"])


def mark_login_succeeded(conn: Conn, attempt_id: int, email: str) -> None:
    """The attempt was right: it is a success, and the account's earlier failures are cleared
    (the owner lifts the soft lock by signing in)."""
    conn.execute("UPDATE identity.login_attempts SET succeeded = true WHERE id = %s", (attempt_id,))
    conn.execute(
        "UPDATE identity.login_attempts SET cleared_at = now()"
        " WHERE email = %s AND NOT succeeded AND cleared_at IS NULL",
        (email,),
    )


def clear_login_failures(conn: Conn, email: str) -> None:
    conn.execute(
        "UPDATE identity.login_attempts SET cleared_at = now()"
        " WHERE email = %s AND NOT succeeded AND cleared_at IS NULL",
        (email,),
    )


@dataclass(frozen=True, slots=True)
class FailureCount:
    count: int
    oldest_age_s: float
    newest_age_s: float = 0.0


_FAILURE_FILTERS = {
    "email": "email = %(email)s",
    "source": "source = %(source)s",
    "pair": "email = %(email)s AND source = %(source)s",
}


def recent_failures(
    conn: Conn,
    *,
    column: str,
    value: str = "",
    window_s: int,
    email: str | None = None,
    source: str | None = None,
) -> FailureCount:
    """Failures not cleared by a later sign-in, within the window: per account (``email``),
    per source (``source``) or per (account, source) (``pair``)."""
    if column not in _FAILURE_FILTERS:
        raise ValueError(column)
    params = {
        "email": email if email is not None else value,
        "source": source if source is not None else value,
        "window": window_s,
    }
    row = fetch_one(
        conn,
        "SELECT count(*) AS n, extract(epoch FROM now() - min(attempted_at)) AS age,"
        " extract(epoch FROM now() - max(attempted_at)) AS newest"
        f" FROM identity.login_attempts WHERE {_FAILURE_FILTERS[column]} AND NOT succeeded"
        " AND cleared_at IS NULL AND attempted_at > now() - make_interval(secs => %(window)s)",
        params,
    )
    assert row is not None
    return FailureCount(int(row["n"]), float(row["age"] or 0.0), float(row["newest"] or 0.0))


def is_known_source(conn: Conn, email: str, source: str, days: int) -> bool:
    row = fetch_one(
        conn,
        "SELECT EXISTS (SELECT 1 FROM identity.login_attempts WHERE email = %s AND source = %s"
        " AND succeeded AND attempted_at > now() - make_interval(days => %s)) AS known",
        (email, source[:64], days),
    )
    return bool(row and row["known"])


# ---- sign-up attempts ----------------------------------------------------------------------
def admit_register_attempt(
    conn: Conn, source: str, *, window_s: int, limit: int, action: str = "register"
) -> float | None:
    """Record a request of ``action`` (a sign-up, a reset or change link) from ``source`` unless
    it has ``limit`` in the window: None when admitted, else the seconds until the oldest one
    leaves the window. ``source`` may also be an account's email (a per-account limit)."""
    key = source[:254]
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 5))", (f"{action}|{key}",))
    row = fetch_one(
        conn,
        "SELECT count(*) AS n, extract(epoch FROM now() - min(attempted_at)) AS age"
        " FROM identity.register_attempts WHERE action = %s AND source = %s"
        " AND attempted_at > now() - make_interval(secs => %s)",
        (action, key, window_s),
    )
    assert row is not None
    if int(row["n"]) >= limit:
        return max(1.0, window_s - float(row["age"] or 0.0))
    conn.execute(
        "INSERT INTO identity.register_attempts (action, source) VALUES (%s, %s)", (action, key)
    )
    return None


# ---- emailed account links -----------------------------------------------------------------
def insert_account_link(
    conn: Conn,
    user_id: uuid.UUID,
    purpose: str,
    ttl_s: int,
    new_email: str | None = None,
) -> AccountLinkRow:
    row = fetch_one(
        conn,
        "INSERT INTO identity.account_links (user_id, purpose, new_email, expires_at)"
        " VALUES (%s, %s, %s, now() + make_interval(secs => %s))"
        f" RETURNING {_LINK_COLUMNS}",
        (user_id, purpose, new_email, ttl_s),
    )
    assert row is not None
    return AccountLinkRow.model_validate(row)


def find_account_link(
    conn: Conn, link_id: uuid.UUID, *, lock: bool = False
) -> AccountLinkRow | None:
    suffix = " FOR UPDATE" if lock else ""
    row = fetch_one(
        conn,
        f"SELECT {_LINK_COLUMNS} FROM identity.account_links WHERE id = %s{suffix}",
        (link_id,),
    )
    return AccountLinkRow.model_validate(row) if row else None


def use_account_links(conn: Conn, user_id: uuid.UUID, purpose: str) -> None:
    """Every open link of this purpose is spent (the one followed, and any older sibling)."""
    conn.execute(
        "UPDATE identity.account_links SET used_at = now()"
        " WHERE user_id = %s AND purpose = %s AND used_at IS NULL",
        (user_id, purpose),
    )


def mark_email_verified(conn: Conn, user_id: uuid.UUID) -> None:
    conn.execute(
        "UPDATE identity.users SET email_verified_at = coalesce(email_verified_at, now()),"
        " updated_at = now() WHERE id = %s",
        (user_id,),
    )


def set_password_ending_sessions(conn: Conn, user_id: uuid.UUID, password_hash: str) -> None:
    """The new hash; every refresh family revoked and every access token issued before now
    refused (``sessions_valid_after``)."""
    conn.execute(
        "UPDATE identity.users SET password_hash = %s, sessions_valid_after = now(),"
        " email_verified_at = coalesce(email_verified_at, now()), updated_at = now()"
        " WHERE id = %s",
        (password_hash, user_id),
    )
    conn.execute(
        "UPDATE identity.refresh_tokens SET revoked_at = now()"
        " WHERE user_id = %s AND revoked_at IS NULL",
        (user_id,),
    )


def change_email(conn: Conn, user_id: uuid.UUID, new_email: str) -> None:
    try:
        with conn.transaction():
            conn.execute(
                "UPDATE identity.users SET email = %s, email_verified_at = now(),"
                " updated_at = now() WHERE id = %s",
                (new_email, user_id),
            )
    except pg_errors.UniqueViolation as exc:
        raise ConflictError("This email address now belongs to another account.") from exc


# ---- access-token deny list ----------------------------------------------------------------
def deny_access_token(conn: Conn, jti: str, user_id: uuid.UUID, expires_at: datetime) -> None:
    conn.execute(
        "INSERT INTO identity.revoked_access_tokens (jti, user_id, expires_at)"
        " VALUES (%s, %s, %s) ON CONFLICT (jti) DO NOTHING",
        (jti[:128], user_id, expires_at),
    )
    # Rows past their token's expiry mean nothing any more: drop a few on every logout.
    conn.execute(
        "DELETE FROM identity.revoked_access_tokens WHERE jti IN (SELECT jti FROM"
        " identity.revoked_access_tokens WHERE expires_at < now() - interval '1 minute' LIMIT 100)"
    )


def is_access_token_denied(conn: Conn, jti: str) -> bool:
    row = fetch_one(
        conn,
        "SELECT EXISTS (SELECT 1 FROM identity.revoked_access_tokens WHERE jti = %s) AS denied",
        (jti[:128],),
    )
    return bool(row and row["denied"])


# ---- external identities (other OIDC issuers) ----------------------------------------------
def find_linked_user(conn: Conn, issuer: str, subject: str) -> uuid.UUID | None:
    row = fetch_one(
        conn,
        "SELECT user_id FROM identity.external_identities WHERE issuer = %s AND subject = %s",
        (issuer, subject),
    )
    return row["user_id"] if row else None


def link_external_identity(conn: Conn, issuer: str, subject: str, user_id: uuid.UUID) -> uuid.UUID:
    """Link (issuer, subject) to ``user_id``; answers the user it is linked to (an existing
    link is never moved)."""
    conn.execute(
        "INSERT INTO identity.external_identities (issuer, subject, user_id) VALUES (%s, %s, %s)"
        " ON CONFLICT (issuer, subject) DO NOTHING",
        (issuer, subject, user_id),
    )
    linked = find_linked_user(conn, issuer, subject)
    assert linked is not None
    return linked


def list_external_identities(conn: Conn, user_id: uuid.UUID) -> list[dict[str, object]]:
    return fetch_all(
        conn,
        "SELECT issuer, subject, created_at FROM identity.external_identities"
        " WHERE user_id = %s ORDER BY created_at, issuer, subject",
        (user_id,),
    )


# ---- companies (tenant-owned reads filter by the caller's scope) ---------------------------
_COMPANY_COLUMNS = (
    "id, name, website, industry, size_band, owner_id, active, created_at, updated_at"
)


def insert_company(
    conn: Conn,
    *,
    owner_id: uuid.UUID,
    name: str,
    website: str | None,
    industry: str | None,
    size_band: str | None,
) -> CompanyOut:
    row = fetch_one(
        conn,
        "INSERT INTO identity.companies (owner_id, name, website, industry, size_band)"
        f" VALUES (%s, %s, %s, %s, %s) RETURNING {_COMPANY_COLUMNS}",
        (owner_id, name, website, industry, size_band),
    )
    assert row is not None
    return CompanyOut.model_validate(row)


def get_company(
    conn: Conn, company_id: uuid.UUID, scope: TenantScope, *, lock: bool = False
) -> CompanyOut:
    """Another company's row answers exactly like a missing one."""
    row = fetch_one(
        conn,
        f"SELECT {_COMPANY_COLUMNS} FROM identity.companies"
        " WHERE id = %(id)s AND (%(all)s OR id = %(tenant)s)" + (" FOR UPDATE" if lock else ""),
        {"id": company_id, "all": scope.all_companies, "tenant": scope.company_id},
    )
    if row is None:
        raise NotFoundError("No such company.")
    return CompanyOut.model_validate(row)


def company_active(conn: Conn, company_id: object) -> bool:
    row = fetch_one(conn, "SELECT active FROM identity.companies WHERE id = %s", (company_id,))
    return bool(row and row["active"])


def set_company_active(conn: Conn, company_id: uuid.UUID, *, active: bool) -> bool:
    """Change the flag; True when it changed (a repeat is a no-op)."""
    changed = conn.execute(
        "UPDATE identity.companies SET active = %s, updated_at = now()"
        " WHERE id = %s AND active <> %s",
        (active, company_id, active),
    )
    return changed.rowcount > 0


def insert_member(conn: Conn, company_id: uuid.UUID, user_id: uuid.UUID, member_role: str) -> None:
    try:
        with conn.transaction():
            conn.execute(
                "INSERT INTO identity.company_members (company_id, user_id, member_role)"
                " VALUES (%s, %s, %s)",
                (company_id, user_id, member_role),
            )
    except pg_errors.UniqueViolation as exc:
        raise ConflictError("The user already belongs to a company.") from exc


_MEMBER_SELECT = (
    "SELECT m.company_id, m.user_id, u.email::text AS email, m.member_role, m.created_at"
    " FROM identity.company_members m JOIN identity.users u ON u.id = m.user_id"
    " JOIN identity.companies c ON c.id = m.company_id"
    " WHERE m.company_id = %(company)s AND (%(all)s OR m.company_id = %(tenant)s)"
)


def list_members(conn: Conn, company_id: uuid.UUID, scope: TenantScope) -> list[MemberOut]:
    rows = fetch_all(
        conn,
        _MEMBER_SELECT + " ORDER BY m.created_at, m.user_id",
        {"company": company_id, "all": scope.all_companies, "tenant": scope.company_id},
    )
    return [MemberOut.model_validate(r) for r in rows]


def get_member(
    conn: Conn, company_id: uuid.UUID, user_id: uuid.UUID, scope: TenantScope
) -> MemberOut:
    row = fetch_one(
        conn,
        _MEMBER_SELECT + " AND m.user_id = %(user)s",
        {
            "company": company_id,
            "all": scope.all_companies,
            "tenant": scope.company_id,
            "user": user_id,
        },
    )
    if row is None:
        raise NotFoundError("No such member.")
    return MemberOut.model_validate(row)


def delete_member(conn: Conn, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
    conn.execute(
        "DELETE FROM identity.company_members WHERE company_id = %s AND user_id = %s",
        (company_id, user_id),
    )
