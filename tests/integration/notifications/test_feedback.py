"""SES feedback against a real PostgreSQL: each notification recorded on the message SES names,
addresses suppressed on a permanent bounce or a complaint, every rule unchanged by redelivery
and by feedback out of order, and a batch reporting only its failed records."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.dal.sql import Conn, fetch_one
from shared.notifications import dal
from shared.notifications.feedback import MAX_DELIVERIES, MessageNotYetKnown
from shared.notifications.feedback_consumer import FeedbackDeps, handle_batch, handle_body
from shared.settings import DatabaseSettings
from tests.builders import ses_notification, sns_envelope

NOW = datetime(2017, 8, 5, 0, 45, tzinfo=UTC)  # a few minutes after the samples' mail


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=2, open=True, name="itest") as opened:
        yield opened


@pytest.fixture
def deps(pool: ConnectionPool) -> FeedbackDeps:
    @contextmanager
    def transaction() -> Iterator[Conn]:
        with pool.connection() as conn, conn.transaction():
            yield conn

    return FeedbackDeps(transaction=transaction, now=lambda: NOW)


def _sent_message(deps: FeedbackDeps, recipient: str) -> tuple[uuid.UUID, str]:
    """A message SES took: (our id, SES's id)."""
    provider_id = f"0100{uuid.uuid4().hex}-000000"
    with deps.transaction() as conn:
        message_id = dal.queue_message(
            conn,
            dedupe_key=f"itest:{uuid.uuid4()}",
            kind="invitation",
            version=1,
            recipient=recipient,
            company_id=None,
            invitation_id=None,
            event_id=None,
            params={},
        )
        assert message_id is not None
        dal.mark_sent(conn, message_id, provider_id)
    return message_id, provider_id


def _row(deps: FeedbackDeps, message_id: uuid.UUID) -> dict[str, Any]:
    with deps.transaction() as conn:
        row = fetch_one(
            conn,
            "SELECT status, delivered_at, feedback, feedback_at FROM notifications.messages"
            " WHERE id = %s",
            (message_id,),
        )
    assert row is not None
    return dict(row)


def _suppression(deps: FeedbackDeps, email: str) -> tuple[str, str] | None:
    with deps.transaction() as conn:
        row = fetch_one(
            conn, "SELECT reason, detail FROM notifications.suppressions WHERE email = %s", (email,)
        )
    return (row["reason"], row["detail"]) if row else None


def _body(kind: str, provider_id: str, recipient: str) -> str:
    data = ses_notification(kind, message_id=provider_id, recipient=recipient)
    return sns_envelope(json.dumps(data))


def test_a_delivery_marks_the_message_delivered_once(deps: FeedbackDeps) -> None:
    message_id, provider_id = _sent_message(deps, "grace@example.com")
    body = _body("delivery", provider_id, "grace@example.com")

    assert handle_body(body, deps) == "applied"
    first = _row(deps, message_id)
    assert handle_body(body, deps) == "applied"  # SQS redelivered it

    assert first["status"] == "delivered"
    assert first["delivered_at"] == datetime(2016, 10, 19, 23, 21, 4, 133000, tzinfo=UTC)
    assert _row(deps, message_id) == first
    assert _suppression(deps, "grace@example.com") is None


def test_a_permanent_bounce_suppresses_the_address_and_a_late_delivery_does_not_undo_it(
    deps: FeedbackDeps,
) -> None:
    message_id, provider_id = _sent_message(deps, "gone@example.com")

    for _ in range(2):  # and once more, redelivered
        assert handle_body(_body("bounce_permanent", provider_id, "gone@example.com"), deps) == (
            "applied"
        )
    assert handle_body(_body("delivery", provider_id, "gone@example.com"), deps) == "applied"

    row = _row(deps, message_id)
    assert row["status"] == "bounced"
    assert row["feedback"] == "permanent bounce (General): smtp; 550 5.1.1 user unknown"
    assert _suppression(deps, "gone@example.com") == ("bounce", row["feedback"])
    with deps.transaction() as conn:
        assert dal.is_suppressed(conn, "Gone@Example.com")  # citext: any case


def test_a_transient_bounce_is_noted_and_the_address_stays_mailable(deps: FeedbackDeps) -> None:
    message_id, provider_id = _sent_message(deps, "full@example.com")
    data = ses_notification(
        "bounce_permanent", message_id=provider_id, recipient="full@example.com"
    )
    data["bounce"]["bounceType"] = "Transient"
    data["bounce"]["bounceSubType"] = "MailboxFull"
    data["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = "smtp; 452 4.2.2 mailbox full"

    assert handle_body(sns_envelope(json.dumps(data)), deps) == "applied"

    row = _row(deps, message_id)
    assert row["status"] == "sent"
    assert row["feedback"] == "transient bounce (MailboxFull): smtp; 452 4.2.2 mailbox full"
    assert row["feedback_at"] == datetime(2017, 8, 5, 0, 41, 2, 669000, tzinfo=UTC)
    assert _suppression(deps, "full@example.com") is None


def test_a_complaint_after_the_delivery_suppresses_and_marks_the_message_complained(
    deps: FeedbackDeps,
) -> None:
    message_id, provider_id = _sent_message(deps, "spam@example.com")

    assert handle_body(_body("delivery", provider_id, "spam@example.com"), deps) == "applied"
    assert handle_body(_body("complaint", provider_id, "spam@example.com"), deps) == "applied"

    row = _row(deps, message_id)
    assert row["status"] == "complained"
    assert row["delivered_at"] is not None
    assert _suppression(deps, "spam@example.com") == ("complaint", "complaint (abuse)")


def test_feedback_for_a_message_not_recorded_yet_is_retried_then_dropped(
    deps: FeedbackDeps,
) -> None:
    body = _body("bounce_permanent", "not-recorded-yet", "early@example.com")

    with pytest.raises(MessageNotYetKnown):
        handle_body(body, deps)
    # The address is suppressed all the same: it bounced, whichever message it was.
    assert _suppression(deps, "early@example.com") is not None

    later = FeedbackDeps(transaction=deps.transaction, now=lambda: NOW + timedelta(hours=1))
    assert handle_body(body, later) == "unknown"


def test_feedback_for_an_unknown_message_is_dropped_on_the_last_delivery_not_dead_lettered(
    deps: FeedbackDeps,
) -> None:
    # Given feedback for a message never recorded (a second copy of an email whose first send
    # reached SES unrecorded), still young
    body = _body("bounce_permanent", "never-recorded", "twice@example.com")
    records = [
        {"messageId": f"d{n}", "body": body, "attributes": {"ApproximateReceiveCount": str(n)}}
        for n in (1, MAX_DELIVERIES - 1, MAX_DELIVERIES)
    ]
    for record in records:
        record.update(eventSource="aws:sqs", receiptHandle="r")
    # When SQS delivers it, the last time included
    result = handle_batch({"Records": records}, deps)
    # Then it is retried while SQS has deliveries left, and dropped (logged) on the last one,
    # instead of going to the dead-letter queue
    assert result == {"batchItemFailures": [{"itemIdentifier": "d1"}, {"itemIdentifier": "d4"}]}
    assert handle_body(body, deps, delivery=MAX_DELIVERIES) == "unknown"


def test_a_batch_reports_only_the_records_that_failed(deps: FeedbackDeps) -> None:
    message_id, provider_id = _sent_message(deps, "batch@example.com")
    broken = ses_notification("delivery", message_id=provider_id)
    del broken["delivery"]
    records = [
        {"messageId": "ok", "body": _body("delivery", provider_id, "batch@example.com")},
        {"messageId": "broken", "body": json.dumps(broken)},
        {"messageId": "check", "body": sns_envelope("Successfully validated SNS topic.")},
    ]
    for record in records:
        record.update(eventSource="aws:sqs", receiptHandle="r", attributes={})

    result = handle_batch({"Records": records}, deps)

    assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    assert _row(deps, message_id)["status"] == "delivered"
