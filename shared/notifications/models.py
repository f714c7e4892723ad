"""The HTTP boundary of notifications: preferences, unsubscribe, the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from shared.models.base import Model
from shared.notifications.kinds import OPTIONAL_KINDS
from shared.notifications.rows import MessageRow, MessageStatus

OptionalKind = Literal[
    "invitation_reminder", "interview_completed", "analysis_ready", "analysis_failed"
]
assert tuple(sorted(OptionalKind.__args__)) == OPTIONAL_KINDS  # type: ignore[attr-defined]


class Preferences(Model):
    """Each kind of optional mail and whether it is sent to you (transactional mail, such as
    an invitation or a password reset, always is)."""

    invitation_reminder: bool = True
    interview_completed: bool = True
    analysis_ready: bool = True
    analysis_failed: bool = True


class PreferencesUpdate(Model):
    invitation_reminder: bool | None = None
    interview_completed: bool | None = None
    analysis_ready: bool | None = None
    analysis_failed: bool | None = None


class Unsubscribed(Model):
    email: str
    kind: OptionalKind
    subscribed: bool


class MessageOut(Model):
    """One email and what became of it: ``sent`` once SES took it, then (from SES's feedback)
    ``delivered``, ``bounced`` (a permanent bounce: the address is suppressed) or ``complained``
    (marked as spam: suppressed too); ``feedback`` is the last feedback that left the status as
    it was (a transient bounce, say)."""

    id: uuid.UUID
    kind: str
    template_version: int
    recipient: str
    invitation_id: uuid.UUID | None
    event_id: uuid.UUID | None
    status: MessageStatus
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    feedback: str | None
    feedback_at: datetime | None

    @classmethod
    def of(cls, row: MessageRow) -> MessageOut:
        return cls.model_validate(row.model_dump(), from_attributes=False)


class MessagePage(Model):
    items: list[MessageOut]
    next_cursor: Annotated[str, Field(max_length=200)] | None = None
