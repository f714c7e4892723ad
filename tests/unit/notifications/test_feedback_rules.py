"""SES feedback, without a database: SES's documented notifications parsed, and what each one
does to its message and to the suppression list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.notifications.feedback import (
    MAX_DELIVERIES,
    UNKNOWN_MESSAGE_RETRY,
    FeedbackPlan,
    MalformedFeedback,
    Suppression,
    parse_body,
    plan,
    retry_unknown,
)
from tests.builders import ses_notification, sns_envelope

MESSAGE_ID = "0100019a-ses-id-000000"


def _parse(kind: str, **kw: str) -> tuple[str, FeedbackPlan | None]:
    body = sns_envelope(json.dumps(ses_notification(kind, message_id=MESSAGE_ID, **kw)))
    notification = parse_body(body)
    assert notification is not None
    return notification.event_type, plan(notification)


def test_a_delivery_marks_the_message_delivered_at_its_time() -> None:
    kind, effect = _parse("delivery")
    assert kind == "Delivery"
    assert effect is not None
    assert effect.provider_id == MESSAGE_ID
    assert effect.status == "delivered"
    assert effect.delivered_at == datetime(2016, 10, 19, 23, 21, 4, 133000, tzinfo=UTC)
    assert effect.suppressions == ()


def test_a_permanent_bounce_suppresses_the_recipient_and_marks_the_message_bounced() -> None:
    _, effect = _parse("bounce_permanent", recipient="Grace <grace@example.com>")
    assert effect is not None
    assert effect.status == "bounced"
    note = "permanent bounce (General): smtp; 550 5.1.1 user unknown"
    assert effect.note == note
    # The address alone, as the suppression list keys it.
    assert effect.suppressions == (Suppression("grace@example.com", "bounce", note),)


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_a_transient_bounce_is_noted_and_suppresses_nothing(bounce_type: str) -> None:
    data = ses_notification("bounce_permanent", message_id=MESSAGE_ID)
    data["bounce"]["bounceType"] = bounce_type
    data["bounce"]["bounceSubType"] = "MailboxFull"
    notification = parse_body(json.dumps(data))  # raw delivery: no SNS envelope
    assert notification is not None
    effect = plan(notification)
    assert effect is not None
    assert effect.status is None
    assert effect.suppressions == ()
    assert (
        effect.note == f"{bounce_type.lower()} bounce (MailboxFull): smtp; 550 5.1.1 user unknown"
    )


def test_a_complaint_suppresses_the_recipient_and_marks_the_message_complained() -> None:
    _, effect = _parse("complaint", recipient="ada@example.com")
    assert effect is not None
    assert effect.status == "complained"
    assert effect.suppressions == (
        Suppression("ada@example.com", "complaint", "complaint (abuse)"),
    )


def test_an_identity_notification_reads_like_an_event() -> None:
    data = ses_notification("bounce_permanent", message_id=MESSAGE_ID)
    data["notificationType"] = data.pop("eventType")
    notification = parse_body(sns_envelope(json.dumps(data)))
    assert notification is not None
    assert notification.event_type == "Bounce"


def test_a_reject_fails_the_message() -> None:
    data = ses_notification("send", message_id=MESSAGE_ID)
    data["eventType"] = "Reject"
    data["reject"] = {"reason": "Bad content"}
    notification = parse_body(json.dumps(data))
    assert notification is not None
    effect = plan(notification)
    assert effect is not None
    assert (effect.status, effect.note) == ("failed", "rejected by SES: Bad content")


def test_a_send_event_changes_nothing() -> None:
    kind, effect = _parse("send")
    assert (kind, effect) == ("Send", None)


@pytest.mark.parametrize(
    "body",
    [
        # SES's check when an event destination is created: plain text.
        sns_envelope("Successfully validated SNS topic for Amazon SES event publishing."),
        sns_envelope(json.dumps({"notificationType": "AmazonSnsSubscriptionSucceeded"})),
        sns_envelope(json.dumps({"eventType": "Open", "mail": {}, "open": {}})),
        "not json",
    ],
)
def test_what_is_not_feedback_we_act_on_is_ignored(body: str) -> None:
    assert parse_body(body) is None


def test_feedback_of_a_known_type_that_does_not_parse_is_malformed() -> None:
    data = ses_notification("bounce_permanent")
    del data["bounce"]["bouncedRecipients"]
    with pytest.raises(MalformedFeedback, match="Bounce"):
        parse_body(json.dumps(data))
    data = ses_notification("delivery")
    del data["delivery"]
    with pytest.raises(MalformedFeedback, match="without its delivery"):
        parse_body(json.dumps(data))


def test_a_long_diagnostic_is_cut_to_fit_the_log() -> None:
    data = ses_notification("bounce_permanent", message_id=MESSAGE_ID)
    data["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = "x" * 1500
    notification = parse_body(json.dumps(data))
    assert notification is not None
    effect = plan(notification)
    assert effect is not None
    assert effect.note is not None
    assert len(effect.note) == 500
    assert effect.note.endswith("...")


def test_feedback_for_an_unknown_message_is_retried_only_while_the_mail_is_recent() -> None:
    sent = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert retry_unknown(sent, sent + timedelta(seconds=1))
    assert not retry_unknown(sent, sent + UNKNOWN_MESSAGE_RETRY)
    # nor on the last delivery SQS makes before its dead-letter queue
    assert retry_unknown(sent, sent + timedelta(seconds=1), delivery=MAX_DELIVERIES - 1)
    assert not retry_unknown(sent, sent + timedelta(seconds=1), delivery=MAX_DELIVERIES)
