"""Sending queued messages: claim (lease), decide (suppressed? opted out? still relevant?),
render, send, record. A failed send is queued again with a growing delay, and failed for good
after ``max_attempts``; the sweep sends whatever is due, so a message is never left queued.

A sender that dies between SES accepting a message and the row saying so leaves it ``sending``;
its lease runs out and it is sent again: the one case where a recipient can get a message twice
(SES takes no idempotency key). Everything else is exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.appkey import AppKey
from shared.dal.sql import Conn
from shared.identity import public as identity
from shared.interviews import public as interviews
from shared.notifications import dal
from shared.notifications.kinds import KINDS
from shared.notifications.mail import Mailer, Outgoing, SendFailed
from shared.notifications.render import render
from shared.notifications.rows import MessageRow
from shared.notifications.settings import NotificationsSettings
from shared.notifications.unsubscribe import token_for
from shared.observability import logger

OPEN_FOR_LINK = {"pending", "in_progress"}


@dataclass(frozen=True, slots=True)
class DeliveryDeps:
    transaction: Callable[[], Any]  # a context manager giving a Conn in one transaction
    mailer: Mailer
    key: Callable[[], AppKey]
    settings: NotificationsSettings
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    suppressed: int = 0
    retried: int = 0
    failed: int = 0


def _expires(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d %B %Y, %H:%M UTC")


def _skip_reason(conn: Conn, message: MessageRow) -> str | None:
    kind = KINDS[message.kind]
    if dal.is_suppressed(conn, message.recipient):
        return "the address is on the suppression list"
    if not kind.transactional and dal.preference(conn, message.recipient, message.kind) is False:
        return "the recipient turned this kind of message off"
    return None


def _values(
    conn: Conn, message: MessageRow, deps: DeliveryDeps
) -> tuple[dict[str, str] | None, str | None]:
    """The template's values, or None and why the message is no longer to be sent."""
    kind = KINDS[message.kind]
    values = {k: str(v) for k, v in message.params.items()}
    if "expires_at" in values:
        values["expires"] = _expires(values.pop("expires_at"))
    origin = deps.settings.frontend_origin.rstrip("/")
    if message.invitation_id is not None:
        values["invitation_url"] = f"{origin}/hr/invitations/{message.invitation_id}"
        values["retry_url"] = f"{values['invitation_url']}?retry=analysis"
    if kind.carries_link and message.invitation_id is not None:
        contact = interviews.invitation_contact(conn, message.invitation_id)
        if contact is None or contact.status not in OPEN_FOR_LINK:
            return None, "the invitation is no longer open"
        if message.kind == "invitation_reminder" and contact.status != "pending":
            return None, "the candidate has already started"
        link = contact.link(deps.key(), origin, deps.settings.link_path)
        if link is None:
            return None, "the invitation has no sealed link to send"
        values["link"] = link
    if kind.audience == "account":
        values["product"] = deps.settings.sender_name
        values["reset_url"] = f"{origin}/forgot-password"
    if kind.account_link is not None:
        url = identity.account_link_url(
            conn, deps.key(), origin, uuid.UUID(values.pop("link_id")), kind.account_link
        )
        if url is None:
            return None, "the link was used or has expired"
        values["link"] = url
    return values, None


def _unsubscribe_url(message: MessageRow, deps: DeliveryDeps) -> str | None:
    if KINDS[message.kind].transactional:
        return None
    token = token_for(deps.key(), message.recipient, message.kind)
    return f"{deps.settings.api_url.rstrip('/')}/v1/notifications/unsubscribe?token={token}"


def _send_one(message: MessageRow, deps: DeliveryDeps) -> str:
    with deps.transaction() as conn:
        why = _skip_reason(conn, message)
        values: dict[str, str] | None = None
        if why is None:
            values, why = _values(conn, message, deps)
        if why is not None or values is None:
            dal.mark_suppressed(conn, message.id, why or "nothing to send")
            return "suppressed"
    unsubscribe_url = _unsubscribe_url(message, deps)
    content = render(message.kind, message.template_version, values, unsubscribe_url)
    outgoing = Outgoing(
        sender=deps.settings.sender,
        sender_name=deps.settings.sender_name,
        recipient=message.recipient,
        content=content,
        unsubscribe_url=unsubscribe_url,
        message_id=str(message.id),
    )
    try:
        provider_id = deps.mailer.send(outgoing)
    except SendFailed as exc:
        return _failed(message, str(exc), deps, permanent=exc.permanent)
    with deps.transaction() as conn:
        dal.mark_sent(conn, message.id, provider_id)
    return "sent"


def _failed(message: MessageRow, why: str, deps: DeliveryDeps, *, permanent: bool) -> str:
    """Queued again after a growing delay, or failed for good after the last attempt."""
    last = permanent or message.attempts >= deps.settings.max_attempts
    delay = deps.settings.retry_base_s * 2 ** (message.attempts - 1)
    retry_at = None if last else deps.now() + timedelta(seconds=delay)
    with deps.transaction() as conn:
        dal.mark_failed(conn, message.id, why, retry_at)
    logger.warning(
        "email not sent", extra={"message_id": str(message.id), "reason": why, "final": last}
    )
    return "failed" if last else "retried"


def deliver(ids: Sequence[uuid.UUID] | None, deps: DeliveryDeps) -> DeliveryReport:
    """Send these messages (or, for the sweep, every due one) that nobody else is sending."""
    if ids is not None and not ids:
        return DeliveryReport()
    with deps.transaction() as conn:
        claimed = dal.claim(conn, ids, deps.settings.lease_s, deps.settings.batch_size)
    counts = {"sent": 0, "suppressed": 0, "retried": 0, "failed": 0}
    for message in claimed:
        try:
            counts[_send_one(message, deps)] += 1
        except Exception:  # one bad message must not hold back the others
            logger.exception("delivering a message failed", extra={"message_id": str(message.id)})
            try:
                counts[_failed(message, "internal error", deps, permanent=False)] += 1
            except Exception:  # the database too: the lease runs out, the sweep tries again
                logger.exception("recording a failed delivery failed")
                counts["retried"] += 1
    return DeliveryReport(**counts)
