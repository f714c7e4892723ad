"""SES feedback, pure: the notification JSON SES publishes to our topic, and what each one means
for the message it names and for the suppression list.

SES publishes two shapes with the same content: event publishing of a configuration set (ours;
``eventType``) and identity notifications (``notificationType``), each with the ``mail`` it is
about and one object for its type (AWS, "Amazon SES notification contents" and "Event
publishing data"). Locally LocalStack publishes ``Send`` and ``Delivery`` events only, never a
bounce or a complaint (README, Notifications).

The rules are idempotent and commutative, as SQS redelivers and SNS does not order: a status
only moves forward (``sent`` < ``delivered`` < ``failed`` < ``bounced`` < ``complained``, in the
SQL of ``dal.record_feedback``), a delivery time is kept once set, a note only replaces an older
one, and a suppression that exists stays as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from shared.models.base import Model

# The types we act on (or, for Send, know and need not act on); any other type SES publishes
# (Open, Click, DeliveryDelay, the subscription check...) is acknowledged and ignored.
KNOWN_TYPES = frozenset({"Bounce", "Complaint", "Delivery", "Send", "Reject"})
# Feedback can arrive before the sender has recorded SES's message id (LocalStack publishes the
# Delivery event inside SendRawEmail): feedback for an unknown message is retried this long
# after the mail was sent, then dropped (it was not ours).
UNKNOWN_MESSAGE_RETRY = timedelta(minutes=10)
# The deliveries SQS makes before it dead-letters a message (the feedback queue's
# maxReceiveCount, cdk/interview_platform/constructs/events.py): on the last one, feedback for an
# unknown message is dropped, not dead-lettered. Locally the queue's visibility is 5 s, so the
# five deliveries end long before UNKNOWN_MESSAGE_RETRY, and a second copy of an email (a send
# whose first attempt reached SES but was not recorded) filled the DLQ.
MAX_DELIVERIES = 5
NOTE_MAX = 500

Address = Annotated[str, Field(min_length=3, max_length=320)]


class _Ses(Model):
    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
    )


class SesMail(_Ses):
    message_id: Annotated[str, Field(min_length=1, max_length=200)]
    timestamp: datetime
    source: Annotated[str, Field(max_length=400)]
    destination: list[Address] = Field(default_factory=list, max_length=50)
    tags: dict[str, list[str]] = Field(default_factory=dict)


class BouncedRecipient(_Ses):
    email_address: Address
    action: Annotated[str, Field(max_length=50)] | None = None
    status: Annotated[str, Field(max_length=50)] | None = None
    diagnostic_code: Annotated[str, Field(max_length=2000)] | None = None


class SesBounce(_Ses):
    bounce_type: Literal["Undetermined", "Permanent", "Transient"]
    bounce_sub_type: Annotated[str, Field(max_length=100)]
    bounced_recipients: list[BouncedRecipient] = Field(min_length=1, max_length=50)
    timestamp: datetime
    feedback_id: Annotated[str, Field(max_length=200)] | None = None


class ComplainedRecipient(_Ses):
    email_address: Address


class SesComplaint(_Ses):
    complained_recipients: list[ComplainedRecipient] = Field(min_length=1, max_length=50)
    timestamp: datetime
    feedback_id: Annotated[str, Field(max_length=200)] | None = None
    complaint_feedback_type: Annotated[str, Field(max_length=100)] | None = None
    complaint_sub_type: Annotated[str, Field(max_length=100)] | None = None


class SesDelivery(_Ses):
    timestamp: datetime
    recipients: list[Address] = Field(default_factory=list, max_length=50)
    processing_time_millis: int | None = None
    smtp_response: Annotated[str, Field(max_length=2000)] | None = None


class SesSend(_Ses):
    pass


class SesReject(_Ses):
    reason: Annotated[str, Field(max_length=500)]


class SesNotification(_Ses):
    """One SES notification (event publishing or identity notification) of a known type."""

    event_type: Literal["Bounce", "Complaint", "Delivery", "Send", "Reject"] = Field(
        validation_alias=AliasChoices("eventType", "notificationType")
    )
    mail: SesMail
    bounce: SesBounce | None = None
    complaint: SesComplaint | None = None
    delivery: SesDelivery | None = None
    send: SesSend | None = None
    reject: SesReject | None = None


class MalformedFeedback(Exception):
    """An SES notification of a type we act on that does not parse: it goes to the DLQ."""


class MessageNotYetKnown(Exception):
    """Feedback for a message whose SES id is not recorded yet: retried (SQS redelivers)."""


FeedbackStatus = Literal["delivered", "failed", "bounced", "complained"]
SuppressionReason = Literal["bounce", "complaint"]


@dataclass(frozen=True, slots=True)
class Suppression:
    email: str
    reason: SuppressionReason
    detail: str


@dataclass(frozen=True, slots=True)
class FeedbackPlan:
    """What one notification does: to the message SES knows as ``provider_id`` (a status it
    moves forward to, a delivery time, a note) and to the suppression list."""

    provider_id: str
    at: datetime
    status: FeedbackStatus | None = None
    delivered_at: datetime | None = None
    note: str | None = None
    suppressions: tuple[Suppression, ...] = ()


def _unwrap(body: str) -> Any:
    """The SES JSON in an SQS body: inside SNS's envelope (``Message``), or raw."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return None
    if isinstance(data, dict) and data.get("Type") == "Notification" and "Message" in data:
        try:
            return json.loads(data["Message"])
        except (TypeError, ValueError):
            return None  # SES's "Successfully validated SNS topic" check is plain text
    return data


def parse_body(body: str) -> SesNotification | None:
    """The notification in an SQS message body, or None when it is not one we act on."""
    data = _unwrap(body)
    if not isinstance(data, dict):
        return None
    kind = data.get("eventType", data.get("notificationType"))
    if kind not in KNOWN_TYPES:
        return None
    try:
        notification = SesNotification.model_validate(data)
    except ValidationError as exc:
        raise MalformedFeedback(f"{kind} notification: {exc.error_count()} errors") from exc
    if kind != "Send" and getattr(notification, kind.lower()) is None:
        raise MalformedFeedback(f"{kind} notification without its {kind.lower()} object")
    return notification


def _address(value: str) -> str:
    return parseaddr(value)[1] or value


def _note(text: str) -> str:
    return text if len(text) <= NOTE_MAX else text[: NOTE_MAX - 3] + "..."


def _bounce_plan(mail: SesMail, bounce: SesBounce) -> FeedbackPlan:
    diagnostics = "; ".join(
        r.diagnostic_code or r.status or r.email_address for r in bounce.bounced_recipients
    )
    note = _note(f"{bounce.bounce_type.lower()} bounce ({bounce.bounce_sub_type}): {diagnostics}")
    if bounce.bounce_type != "Permanent":
        # Transient (a full mailbox, say) or undetermined: SES retried already; retrying the
        # address later may work, so it is not suppressed.
        return FeedbackPlan(mail.message_id, bounce.timestamp, note=note)
    return FeedbackPlan(
        mail.message_id,
        bounce.timestamp,
        status="bounced",
        note=note,
        suppressions=tuple(
            Suppression(_address(r.email_address), "bounce", note)
            for r in bounce.bounced_recipients
        ),
    )


def _complaint_plan(mail: SesMail, complaint: SesComplaint) -> FeedbackPlan:
    note = _note(f"complaint ({complaint.complaint_feedback_type or 'unspecified'})")
    return FeedbackPlan(
        mail.message_id,
        complaint.timestamp,
        status="complained",
        note=note,
        suppressions=tuple(
            Suppression(_address(r.email_address), "complaint", note)
            for r in complaint.complained_recipients
        ),
    )


def plan(notification: SesNotification) -> FeedbackPlan | None:
    """What the notification does; None when nothing (a Send: the sender recorded it)."""
    mail = notification.mail
    if notification.delivery is not None and notification.event_type == "Delivery":
        at = notification.delivery.timestamp
        return FeedbackPlan(mail.message_id, at, status="delivered", delivered_at=at)
    if notification.bounce is not None and notification.event_type == "Bounce":
        return _bounce_plan(mail, notification.bounce)
    if notification.complaint is not None and notification.event_type == "Complaint":
        return _complaint_plan(mail, notification.complaint)
    if notification.reject is not None and notification.event_type == "Reject":
        note = _note(f"rejected by SES: {notification.reject.reason}")
        return FeedbackPlan(mail.message_id, mail.timestamp, status="failed", note=note)
    return None


def retry_unknown(mail_sent_at: datetime, now: datetime, delivery: int = 1) -> bool:
    """Whether feedback for a message not (yet) in our log is to be retried: while the mail is
    recent and SQS has a delivery left."""
    return now - mail_sent_at < UNKNOWN_MESSAGE_RETRY and delivery < MAX_DELIVERIES
