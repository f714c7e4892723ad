"""One row model per table of the notifications schema."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from shared.models.base import Model

MessageStatus = Literal[
    "queued", "sending", "sent", "failed", "suppressed", "delivered", "bounced", "complained"
]


class MessageRow(Model):
    id: uuid.UUID
    company_id: uuid.UUID | None
    dedupe_key: str
    kind: str
    template_version: int
    recipient: str
    invitation_id: uuid.UUID | None
    event_id: uuid.UUID | None
    params: dict[str, Any]
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime
    ses_message_id: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    feedback: str | None
    feedback_at: datetime | None
