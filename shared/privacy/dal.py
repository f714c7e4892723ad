"""Data access of the data-rights context: its own tables (privacy.erasures, privacy.retention_
policies), the audit log's reads, and read-only views of the invitations it exports. The only
module of the context speaking SQL. Every other context's data is changed through its public
module (the erasure in erasure.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.dal.sql import Conn, fetch_all, fetch_one
from shared.interviews.public import InvitationRef


# ---- a candidate's invitations (found through interviews' public module) ---------------------
def export_invitation(conn: Conn, invitation_id: UUID) -> dict[str, Any] | None:
    return fetch_one(
        conn,
        "SELECT i.id, i.company_id, c.name AS company, t.title AS template_title, i.status,"
        " i.candidate_name, i.candidate_email::text AS candidate_email,"
        " i.created_at AS invited_at, i.expires_at, i.started_at, i.completed_at,"
        " i.expired_at, i.cancelled_at, i.erased_at, i.recording_consent_at, i.ai_consent,"
        " i.ai_consent_at, i.consent_text_version"
        " FROM interviews.invitations i JOIN interviews.templates t ON t.id = i.template_id"
        " JOIN identity.companies c ON c.id = i.company_id WHERE i.id = %s",
        (invitation_id,),
    )


def export_answers(conn: Conn, invitation_id: UUID) -> list[dict[str, Any]]:
    """Every attempt of every answer, in the template's order, with its question."""
    return fetch_all(
        conn,
        "SELECT a.id, a.question_id, q.position, q.text AS question_text, q.options, a.kind,"
        " a.attempt, a.is_current, a.submitted_at, a.text_answer, a.selected_option_ids,"
        " a.upload_id, a.media_key, a.media_version_id"
        " FROM interviews.answers a JOIN interviews.questions q ON q.id = a.question_id"
        " WHERE a.invitation_id = %s ORDER BY q.position, a.attempt",
        (invitation_id,),
    )


def export_decision(conn: Conn, invitation_id: UUID) -> dict[str, Any] | None:
    return fetch_one(
        conn,
        "SELECT decision, decided_at FROM interviews.decisions WHERE invitation_id = %s",
        (invitation_id,),
    )


# ---- erasures --------------------------------------------------------------------------------
_ERASURE = "invitation_id, company_id, requested_via, status, requested_at, completed_at"


def erasure(conn: Conn, invitation_id: UUID) -> dict[str, Any] | None:
    return fetch_one(
        conn,
        f"SELECT {_ERASURE} FROM privacy.erasures WHERE invitation_id = %s",  # noqa: S608
        (invitation_id,),
    )


def request_erasure(conn: Conn, ref: InvitationRef, via: str) -> None:
    """Recorded once per invitation (a repeated request finds the first)."""
    conn.execute(
        "INSERT INTO privacy.erasures (invitation_id, company_id, requested_via)"
        " VALUES (%s, %s, %s) ON CONFLICT (invitation_id) DO NOTHING",
        (ref.id, ref.company_id, via),
    )


def lock_unfinished(conn: Conn, invitation_id: UUID, *, wait: bool) -> dict[str, Any] | None:
    """The erasure to finish now, locked; None when it is finished, or (``wait`` off: the
    sweep's way) another run holds it. A request waits for a run under way (the sweep's) and
    then finds it finished, so it answers the outcome, not a race."""
    suffix = "" if wait else " SKIP LOCKED"
    return fetch_one(
        conn,
        f"SELECT {_ERASURE} FROM privacy.erasures"  # noqa: S608
        f" WHERE invitation_id = %s AND status = 'requested' FOR UPDATE{suffix}",
        (invitation_id,),
    )


def complete_erasure(conn: Conn, invitation_id: UUID, objects_removed: int) -> None:
    conn.execute(
        "UPDATE privacy.erasures SET status = 'completed', completed_at = now(),"
        " objects_removed = %s, last_error = NULL, attempts = attempts + 1, updated_at = now()"
        " WHERE invitation_id = %s",
        (objects_removed, invitation_id),
    )


def record_failed_attempt(conn: Conn, invitation_id: UUID, error: str) -> None:
    conn.execute(
        "UPDATE privacy.erasures SET attempts = least(attempts + 1, 1000), last_error = %s,"
        " updated_at = now() WHERE invitation_id = %s AND status = 'requested'",
        (error[:500], invitation_id),
    )


def due_erasures(conn: Conn, limit: int) -> list[UUID]:
    """Unfinished erasures whose next try is due: at once, then one more minute per failed
    attempt (at most an hour apart), oldest first."""
    rows = fetch_all(
        conn,
        "SELECT invitation_id FROM privacy.erasures WHERE status = 'requested'"
        " AND updated_at <= now() - make_interval(mins => least(attempts, 60))"
        " ORDER BY updated_at LIMIT %s",
        (limit,),
    )
    return [r["invitation_id"] for r in rows]


# ---- retention -------------------------------------------------------------------------------
def retention(conn: Conn, company_id: UUID) -> dict[str, Any] | None:
    return fetch_one(
        conn,
        "SELECT company_id, retention_days, updated_at FROM privacy.retention_policies"
        " WHERE company_id = %s",
        (company_id,),
    )


def set_retention(conn: Conn, company_id: UUID, days: int | None, by: UUID) -> None:
    if days is None:
        conn.execute("DELETE FROM privacy.retention_policies WHERE company_id = %s", (company_id,))
        return
    conn.execute(
        "INSERT INTO privacy.retention_policies (company_id, retention_days, updated_by)"
        " VALUES (%s, %s, %s) ON CONFLICT (company_id) DO UPDATE SET"
        " retention_days = EXCLUDED.retention_days, updated_by = EXCLUDED.updated_by,"
        " updated_at = now()",
        (company_id, days, by),
    )


def request_retention_erasures(conn: Conn, limit: int) -> int:
    """An erasure requested for each invitation finished longer ago than its company's
    retention period (not erased, none requested yet); how many."""
    cursor = conn.execute(
        "INSERT INTO privacy.erasures (invitation_id, company_id, requested_via)"
        " SELECT i.id, i.company_id, 'retention' FROM privacy.retention_policies p"
        " JOIN interviews.invitations i ON i.company_id = p.company_id"
        " WHERE i.erased_at IS NULL AND i.status IN ('completed', 'expired', 'cancelled')"
        " AND coalesce(i.completed_at, i.expired_at, i.cancelled_at)"
        "     < now() - make_interval(days => p.retention_days)"
        " AND NOT EXISTS (SELECT 1 FROM privacy.erasures e WHERE e.invitation_id = i.id)"
        " LIMIT %s ON CONFLICT (invitation_id) DO NOTHING",
        (limit,),
    )
    return cursor.rowcount


# ---- the audit log ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor_id: UUID | None = None
    tenant_id: UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_entries(
    conn: Conn, where: AuditFilter, after: tuple[datetime, int] | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first, keyset on (occurred_at, id): ``limit + 1`` rows say whether more follow."""
    clauses = ["true"]
    params: dict[str, Any] = {"limit": limit + 1}
    for column, name, value in (
        ("actor_id", "actor", where.actor_id),
        ("tenant_id", "tenant", where.tenant_id),
        ("event_type", "action", where.action),
    ):
        if value is not None:
            clauses.append(f"{column} = %({name})s")
            params[name] = value
    if where.since is not None:
        clauses.append("occurred_at >= %(since)s")
        params["since"] = where.since
    if where.until is not None:
        clauses.append("occurred_at < %(until)s")
        params["until"] = where.until
    if after is not None:
        clauses.append("(occurred_at, id) < (%(after_at)s, %(after_id)s)")
        params["after_at"], params["after_id"] = after
    return fetch_all(
        conn,
        "SELECT id, event_type, actor_id, tenant_id, occurred_at, envelope -> 'payload' AS payload"  # noqa: S608 - fixed clauses
        f" FROM platform.audit_log WHERE {' AND '.join(clauses)}"
        " ORDER BY occurred_at DESC, id DESC LIMIT %(limit)s",
        params,
    )
