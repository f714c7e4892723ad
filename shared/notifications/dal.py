"""SQL of the notifications schema."""
# ruff: noqa: S608 - the column list is a constant; every value is a parameter

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from shared.dal.sql import Conn, fetch_all, fetch_one
from shared.notifications.rows import MessageRow

_COLUMNS = (
    "id, company_id, dedupe_key, kind, template_version, recipient::text AS recipient,"
    " invitation_id, event_id, params, status, attempts, next_attempt_at, ses_message_id, error,"
    " created_at, updated_at, sent_at, delivered_at, feedback, feedback_at"
)


def queue_message(
    conn: Conn,
    *,
    dedupe_key: str,
    kind: str,
    version: int,
    recipient: str,
    company_id: uuid.UUID | None,
    invitation_id: uuid.UUID | None,
    event_id: uuid.UUID | None,
    params: dict[str, Any],
) -> uuid.UUID | None:
    """The new message's id, or None when its dedupe key was already queued (a redelivery)."""
    row = fetch_one(
        conn,
        "INSERT INTO notifications.messages (dedupe_key, kind, template_version, recipient,"
        " company_id, invitation_id, event_id, params)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        (dedupe_key, kind, version, recipient, company_id, invitation_id, event_id, Jsonb(params)),
    )
    return row["id"] if row else None


def claim(
    conn: Conn, ids: Sequence[uuid.UUID] | None, lease_s: int, limit: int
) -> list[MessageRow]:
    """Due messages (these ids, or any when None), marked as being sent for ``lease_s``: a
    concurrent sender skips them, and a sender that died leaves them to the next claim."""
    rows = fetch_all(
        conn,
        "UPDATE notifications.messages m SET status = 'sending', attempts = m.attempts + 1,"
        " next_attempt_at = now() + make_interval(secs => %(lease)s), updated_at = now()"
        " WHERE m.id IN (SELECT id FROM notifications.messages"
        "   WHERE status IN ('queued', 'sending') AND next_attempt_at <= now()"
        "   AND (%(any)s OR id = ANY(%(ids)s))"
        "   ORDER BY next_attempt_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_COLUMNS.replace('id,', 'm.id,', 1)}",
        {"lease": lease_s, "any": ids is None, "ids": list(ids or []), "limit": limit},
    )
    return [MessageRow.model_validate(r) for r in rows]


def mark_sent(conn: Conn, message_id: uuid.UUID, provider_id: str) -> None:
    conn.execute(
        "UPDATE notifications.messages SET status = 'sent', ses_message_id = %s, error = NULL,"
        " sent_at = now(), updated_at = now() WHERE id = %s",
        (provider_id, message_id),
    )


def mark_suppressed(conn: Conn, message_id: uuid.UUID, why: str) -> None:
    conn.execute(
        "UPDATE notifications.messages SET status = 'suppressed', error = %s, updated_at = now()"
        " WHERE id = %s",
        (why[:500], message_id),
    )


def mark_failed(conn: Conn, message_id: uuid.UUID, why: str, retry_at: datetime | None) -> None:
    """Failed for good (``retry_at`` None) or queued again for ``retry_at``."""
    conn.execute(
        "UPDATE notifications.messages SET status = %s, error = %s,"
        " next_attempt_at = COALESCE(%s, next_attempt_at), updated_at = now() WHERE id = %s",
        ("queued" if retry_at else "failed", why[:500], retry_at, message_id),
    )


def is_suppressed(conn: Conn, email: str) -> bool:
    return (
        fetch_one(conn, "SELECT 1 AS x FROM notifications.suppressions WHERE email = %s", (email,))
        is not None
    )


def suppress(conn: Conn, email: str, reason: str, detail: str | None) -> None:
    conn.execute(
        "INSERT INTO notifications.suppressions (email, reason, detail) VALUES (%s, %s, %s)"
        " ON CONFLICT (email) DO NOTHING",
        (email, reason, detail),
    )


def preference(conn: Conn, email: str, kind: str) -> bool | None:
    row = fetch_one(
        conn,
        "SELECT enabled FROM notifications.preferences WHERE email = %s AND kind = %s",
        (email, kind),
    )
    return bool(row["enabled"]) if row else None


def preferences(conn: Conn, email: str) -> dict[str, bool]:
    rows = fetch_all(
        conn, "SELECT kind, enabled FROM notifications.preferences WHERE email = %s", (email,)
    )
    return {r["kind"]: bool(r["enabled"]) for r in rows}


def set_preference(conn: Conn, email: str, kind: str, enabled: bool) -> None:
    conn.execute(
        "INSERT INTO notifications.preferences (email, kind, enabled) VALUES (%s, %s, %s)"
        " ON CONFLICT (email, kind) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()",
        (email, kind, enabled),
    )


def messages_of_company(
    conn: Conn,
    company_id: uuid.UUID,
    *,
    invitation_id: uuid.UUID | None,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[MessageRow]:
    rows = fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM notifications.messages WHERE company_id = %(company)s"
        " AND (%(inv)s::uuid IS NULL OR invitation_id = %(inv)s)"
        " AND (%(at)s::timestamptz IS NULL OR (created_at, id) < (%(at)s, %(id)s))"
        " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
        {
            "company": company_id,
            "inv": invitation_id,
            "at": before[0] if before else None,
            "id": before[1] if before else None,
            "limit": limit,
        },
    )
    return [MessageRow.model_validate(r) for r in rows]


# A message's status after SES took it only moves forward (feedback is redelivered and comes
# in any order); the statuses before it rank 0.
_FEEDBACK_ORDER = "ARRAY['sent', 'delivered', 'failed', 'bounced', 'complained']"
_RANK = "COALESCE(array_position(" + _FEEDBACK_ORDER + ", {}), 0)"


def record_feedback(
    conn: Conn,
    provider_id: str,
    *,
    at: datetime,
    status: str | None,
    delivered_at: datetime | None,
    note: str | None,
) -> bool:
    """SES's feedback on the message it knows as ``provider_id``; False when there is none."""
    row = fetch_one(
        conn,
        "UPDATE notifications.messages SET"
        " status = CASE WHEN %(status)s::text IS NOT NULL"
        f"   AND {_RANK.format('%(status)s::text')} > {_RANK.format('status')}"
        "   THEN %(status)s::text ELSE status END,"
        " delivered_at = COALESCE(delivered_at, %(delivered)s),"
        " feedback = CASE WHEN %(note)s::text IS NOT NULL"
        "   AND (feedback_at IS NULL OR feedback_at <= %(at)s) THEN %(note)s::text"
        "   ELSE feedback END,"
        " feedback_at = CASE WHEN %(note)s::text IS NOT NULL"
        "   AND (feedback_at IS NULL OR feedback_at <= %(at)s) THEN %(at)s"
        "   ELSE feedback_at END,"
        " updated_at = now()"
        " WHERE ses_message_id = %(provider)s RETURNING id",
        {
            "status": status,
            "delivered": delivered_at,
            "note": note,
            "at": at,
            "provider": provider_id,
        },
    )
    return row is not None


def erase_invitation_mail(
    conn: Conn, invitation_id: uuid.UUID, candidate_email: str, pseudonym: str
) -> int:
    cursor = conn.execute(
        "UPDATE notifications.messages SET status = 'suppressed',"
        " error = 'The candidate asked for erasure.', updated_at = now()"
        " WHERE invitation_id = %s AND recipient = %s AND status = 'queued'",
        (invitation_id, candidate_email),
    )
    suppressed = cursor.rowcount
    conn.execute(
        "UPDATE notifications.messages"
        " SET recipient = CASE WHEN recipient = %(email)s THEN %(pseudonym)s ELSE recipient END,"
        "     dedupe_key = replace(dedupe_key, lower(%(email)s), %(pseudonym)s),"
        "     params = params - 'candidate_name' - 'candidate_email', updated_at = now()"
        " WHERE invitation_id = %(invitation)s",
        {"email": candidate_email, "pseudonym": pseudonym, "invitation": invitation_id},
    )
    # Whatever is planned for the pseudonym later (a redelivered event) is never sent.
    conn.execute(
        "INSERT INTO notifications.suppressions (email, reason, detail)"
        " VALUES (%s, 'manual', 'An erased candidate.') ON CONFLICT (email) DO NOTHING",
        (pseudonym,),
    )
    return suppressed
