"""Which messages an event causes: queued in the consumer's transaction, at most one per event,
recipient and kind (the dedupe key), so a redelivered event queues nothing new. What a message
says is looked up now (names, titles); the link is opened only when it is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from shared.dal.sql import Conn
from shared.events.catalogue import payload_model
from shared.events.envelope import EventEnvelope
from shared.identity import public as identity
from shared.interviews import public as interviews
from shared.notifications import dal
from shared.notifications.kinds import ACCOUNT_RECIPIENT_FIELD, KIND_OF_EVENT, KINDS
from shared.notifications.webhooks import EVENT_TYPES as WEBHOOK_EVENT_TYPES
from shared.notifications.webhooks import queue_for_event
from shared.observability import logger

CONSUMER = "notifications"
# Every event this context's consumer hears: what causes mail, and what webhooks may carry.
EVENT_TYPES = tuple(sorted(set(KIND_OF_EVENT) | set(WEBHOOK_EVENT_TYPES)))


@dataclass
class Queued:
    """What the block queued (committed or not: a rolled-back one is simply not found when it
    is claimed): email messages and webhook deliveries."""

    messages: list[uuid.UUID] = field(default_factory=list)
    deliveries: list[uuid.UUID] = field(default_factory=list)


_queued: ContextVar[Queued | None] = ContextVar("notifications_queued", default=None)


@contextmanager
def tracking_queued() -> Iterator[Queued]:
    queued = Queued()
    token = _queued.set(queued)
    try:
        yield queued
    finally:
        _queued.reset(token)


def _track(message_id: uuid.UUID | None) -> None:
    queued = _queued.get()
    if message_id is not None and queued is not None:
        queued.messages.append(message_id)


def _params(conn: Conn, contact: interviews.InvitationContact) -> dict[str, Any]:
    return {
        "company": identity.company_name(conn, contact.company_id) or "Your recruiter",
        "candidate_name": contact.candidate_name,
        "template_title": contact.template_title,
        "expires_at": contact.expires_at.isoformat(),
    }


def on_event(conn: Conn, envelope: EventEnvelope) -> None:
    """The event's email messages and webhook deliveries, queued in the consumer's transaction."""
    queue_mail(conn, envelope)
    deliveries = queue_for_event(conn, envelope)
    queued = _queued.get()
    if queued is not None:
        queued.deliveries.extend(deliveries)


def queue_mail(conn: Conn, envelope: EventEnvelope) -> None:
    kind_name = KIND_OF_EVENT.get(envelope.event_type)
    if kind_name is None:
        return
    kind = KINDS[kind_name]
    payload = payload_model(envelope.event_type).model_validate(envelope.payload)
    if kind.audience == "account":
        _queue_account_mail(conn, envelope, kind_name, payload)
        return
    # Every other event that causes mail names its invitation; the rest is read when it is sent.
    invitation_id: uuid.UUID = payload.invitation_id  # type: ignore[attr-defined]
    contact = interviews.invitation_contact(conn, invitation_id)
    if contact is None:
        logger.warning("notification for an unknown invitation", extra={"kind": kind_name})
        return
    params = _params(conn, contact)
    if kind.audience == "candidate":
        recipient = contact.candidate_email
    else:
        hr = identity.user_contact(conn, contact.created_by)
        if hr is None or not hr.active:
            return  # whoever invited is gone: nobody to tell
        recipient = hr.email
        params["hr_name"] = hr.first_name or "there"
        if kind_name == "analysis_ready":
            params.update(ready_params(envelope.event_type, payload))
    _track(
        dal.queue_message(
            conn,
            dedupe_key=f"event:{envelope.event_id}:{kind_name}:{recipient.lower()}",
            kind=kind_name,
            version=kind.version,
            recipient=recipient,
            company_id=contact.company_id,
            invitation_id=contact.id,
            event_id=envelope.event_id,
            params=params,
        )
    )


HUMAN_REVIEW_RESULT = (
    "The candidate declined AI analysis: no AI model read the answers and there are no AI"
    " scores. Watch the recordings with their transcripts, read the written answers, and decide."
)


def ready_params(event_type: str, payload: Any) -> dict[str, str]:
    """What the ready message says: the AI's result, or that the review is human-only
    (``overall`` and ``recommendation`` are kept for messages of the template's version 1)."""
    if event_type == "analysis.human_review":
        return {"overall": "none", "recommendation": "none", "result": HUMAN_REVIEW_RESULT}
    overall = getattr(payload, "overall", None)
    shown = f"{float(overall):.0f}/100" if overall is not None else "none"
    recommendation = str(getattr(payload, "recommendation", None) or "none")
    return {
        "overall": shown,
        "recommendation": recommendation,
        "result": (
            f"The AI analysis is done. Overall score: {shown}. Recommendation: {recommendation}."
        ),
    }


def _queue_account_mail(conn: Conn, envelope: EventEnvelope, kind_name: str, payload: Any) -> None:
    """Mail about a user's own account, to the address the event names; an emailed link goes
    by its id (the token is derived when the message is sent, and only while it can be used)."""
    kind = KINDS[kind_name]
    recipient = str(getattr(payload, ACCOUNT_RECIPIENT_FIELD[kind_name]))
    params: dict[str, Any] = {}
    if kind.account_link is not None:
        params["link_id"] = str(payload.link_id)
        params["expires_at"] = payload.expires_at.isoformat()
    if kind_name == "email_changed":
        params["new_email"] = str(payload.email)
    _track(
        dal.queue_message(
            conn,
            dedupe_key=f"event:{envelope.event_id}:{kind_name}:{recipient.lower()}",
            kind=kind_name,
            version=kind.version,
            recipient=recipient,
            company_id=None,
            invitation_id=None,
            event_id=envelope.event_id,
            params=params,
        )
    )


def queue_reminders(conn: Conn, before_s: int, limit: int) -> int:
    """Reminders for pending invitations expiring within ``before_s``: one per invitation and
    expiry (an extension arms a new one)."""
    kind = KINDS["invitation_reminder"]
    queued = 0
    for contact in interviews.expiring_invitations(conn, before_s, limit):
        message_id = dal.queue_message(
            conn,
            dedupe_key=f"reminder:{contact.id}:{contact.expires_at.isoformat()}",
            kind=kind.name,
            version=kind.version,
            recipient=contact.candidate_email,
            company_id=contact.company_id,
            invitation_id=contact.id,
            event_id=None,
            params=_params(conn, contact),
        )
        if message_id is not None:
            queued += 1
            _track(message_id)
    return queued
