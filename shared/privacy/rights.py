"""The data-rights use cases behind the routes: whose invitations a request may export or
erase (a link token's one; a candidate account's every invitation to its verified email), the
company's retention period, and the admins' reading of the audit log."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import TYPE_CHECKING

from shared.errors import NotFoundError, PermissionDeniedError, UnprocessableError
from shared.identity.public import ensure_email_verified
from shared.interviews.public import InvitationRef, invitations_of_email
from shared.privacy import dal
from shared.privacy.dal import AuditFilter
from shared.privacy.erasure import ErasureDeps, erase
from shared.privacy.export import export
from shared.privacy.models import (
    AuditEntryOut,
    AuditPage,
    DataExport,
    ErasureResult,
    RetentionIn,
    RetentionOut,
)

if TYPE_CHECKING:
    from uuid import UUID

    from shared.dal.sql import Conn
    from shared.identity.public import Caller

NO_INTERVIEW = "No interview for this link."
MAX_CURSOR = 100


def link_invitations(conn: Conn, token: str) -> list[InvitationRef]:
    """The one invitation the link token opens, in any status; a bad token is a 404 (nothing
    says whether a link ever existed)."""
    from shared.interviews.public import invitation_for_link  # noqa: PLC0415

    found = invitation_for_link(conn, token)
    if found is None:
        raise NotFoundError(NO_INTERVIEW)
    return [InvitationRef(found.id, found.company_id)]


def account_invitations(conn: Conn, caller: Caller) -> list[InvitationRef]:
    """Every invitation sent to the candidate account's email, once that email is verified
    (an unverified address proves nothing: 403)."""
    ensure_email_verified(
        caller, "Verify your email address first: only then are the invitations sent to it yours."
    )
    return invitations_of_email(conn, caller.user.email)


# ---- retention -------------------------------------------------------------------------------
def _company(caller: Caller) -> UUID:
    if caller.user.company_id is None:
        raise NotFoundError("You are not a member of a company.")
    return caller.user.company_id


def get_retention(conn: Conn, caller: Caller) -> RetentionOut:
    company_id = _company(caller)
    row = dal.retention(conn, company_id)
    if row is None:
        return RetentionOut(company_id=company_id, retention_days=None)
    return RetentionOut.model_validate(row)


def set_retention(conn: Conn, caller: Caller, body: RetentionIn) -> RetentionOut:
    """The company's owner sets (or, with null, clears) the retention period."""
    from shared.identity.public import company_owner  # noqa: PLC0415

    company_id = _company(caller)
    owner = company_owner(conn, company_id)
    if owner is None or owner.user_id != caller.id:
        raise PermissionDeniedError("Only the company's owner can set the retention period.")
    dal.set_retention(conn, company_id, body.retention_days, caller.id)
    return get_retention(conn, caller)


# ---- the audit log ---------------------------------------------------------------------------
def _encode(occurred_at: datetime, row_id: int) -> str:
    raw = f"{occurred_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        at, row_id = raw.split("|", 1)
        occurred_at = datetime.fromisoformat(at)
        if occurred_at.tzinfo is None:
            raise ValueError("no time zone")
        return occurred_at, int(row_id)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise UnprocessableError("query.cursor: the cursor is not valid.") from exc


def read_audit_log(conn: Conn, where: AuditFilter, cursor: str | None, limit: int) -> AuditPage:
    """Newest first; ``next_cursor`` names the last row of a full page."""
    if where.since and where.until and where.since >= where.until:
        raise UnprocessableError("query.since: must be before until.")
    rows = dal.audit_entries(conn, where, _decode(cursor) if cursor else None, limit)
    items = [
        AuditEntryOut(
            id=r["id"],
            action=r["event_type"],
            actor_id=r["actor_id"],
            tenant_id=r["tenant_id"],
            occurred_at=r["occurred_at"],
            payload=r["payload"] or {},
        )
        for r in rows[:limit]
    ]
    last = rows[limit - 1] if len(rows) > limit else None
    return AuditPage(
        items=items, next_cursor=_encode(last["occurred_at"], last["id"]) if last else None
    )


# ---- the link token's routes (no account: one transaction each) ------------------------------
def export_for_link(deps: ErasureDeps, token: str, ttl_s: int) -> DataExport:
    with deps.transact() as conn:
        return export(conn, link_invitations(conn, token), ttl_s)


def erase_for_link(deps: ErasureDeps, token: str) -> ErasureResult:
    with deps.transact() as conn:
        refs = link_invitations(conn, token)
    return erase(deps, refs, "link")
