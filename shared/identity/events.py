"""Identity's events: enqueued in the use case's transaction (the outbox)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from shared.dal.sql import Conn
from shared.events import enqueue, new_event

EVENT_SOURCE = "identity"


def emit(
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
