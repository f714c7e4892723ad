"""The audit log: every identity and company event, kept with who did it and when."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict

from shared.events.envelope import EventEnvelope

AUDIT_CONSUMER = "audit-log"
# What the audit consumer's rule delivers (EventBridge prefix match on detail-type).
AUDITED_PREFIXES = ("user.", "company.")


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: UUID
    event_type: str
    tenant_id: UUID | None
    actor_id: UUID | None
    occurred_at: datetime
    envelope: dict[str, Any]


def audit_entry(envelope: EventEnvelope) -> AuditEntry:
    """Who acted is the payload's ``actorId`` when the event has one (the user's own sign-up
    has none)."""
    actor = envelope.payload.get("actorId")
    try:
        actor_id = UUID(str(actor)) if actor is not None else None
    except ValueError:
        actor_id = None
    return AuditEntry(
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        tenant_id=envelope.tenant_id,
        actor_id=actor_id,
        occurred_at=envelope.occurred_at,
        envelope=envelope.to_detail(),
    )


_INSERT = """
INSERT INTO platform.audit_log (event_id, event_type, tenant_id, actor_id, occurred_at, envelope)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (event_id) DO NOTHING
"""


def insert_audit_entry(conn: psycopg.Connection[Any], entry: AuditEntry) -> None:
    conn.execute(
        _INSERT,
        (
            entry.event_id,
            entry.event_type,
            entry.tenant_id,
            entry.actor_id,
            entry.occurred_at,
            Jsonb(entry.envelope),
        ),
    )


def record_audit(conn: psycopg.Connection[Any], envelope: EventEnvelope) -> None:
    """The audit consumer's effect."""
    insert_audit_entry(conn, audit_entry(envelope))


# What HR opened of a candidate's data (issue 19): written in the reading request's own
# transaction, so no one reads a candidate's media or analysis without its row.
ACCESS_SOURCE = "platform.audit"
MEDIA_VIEWED = "media.viewed"
ANALYSIS_VIEWED = "analysis.viewed"


def record_access(
    conn: psycopg.Connection[Any],
    *,
    action: str,
    actor_id: UUID,
    tenant_id: UUID,
    subject: dict[str, str],
    correlation_id: str,
) -> UUID:
    """An audit row saying who opened what of a candidate's (``subject``: ids only, never
    personal data); its event id."""
    envelope = EventEnvelope(
        event_id=uuid4(),
        event_type=action,
        version=1,
        occurred_at=datetime.now(UTC),
        source=ACCESS_SOURCE,
        correlation_id=correlation_id or "none",
        tenant_id=tenant_id,
        payload={"actorId": str(actor_id), **subject},
    )
    insert_audit_entry(conn, audit_entry(envelope))
    return envelope.event_id


class AccessBy(BaseModel):
    """Who is reading (for :func:`record_access`), as the reading use case is told it."""

    model_config = ConfigDict(frozen=True)

    actor_id: UUID
    correlation_id: str

    def record(
        self, conn: psycopg.Connection[Any], action: str, tenant_id: UUID, invitation_id: UUID
    ) -> None:
        """That this reader opened ``action``'s data of one invitation."""
        record_access(
            conn,
            action=action,
            actor_id=self.actor_id,
            tenant_id=tenant_id,
            subject={"invitationId": str(invitation_id)},
            correlation_id=self.correlation_id,
        )
