"""The SES feedback consumer's batch (topic -> SQS -> Lambda): each notification's plan
(shared/notifications/feedback.py) applied in one transaction. A message that cannot be parsed
is reported in ``batchItemFailures``: SQS redelivers it and, after maxReceiveCount,
dead-letters it. Feedback whose message is not recorded yet is reported too while the mail is
recent and SQS has a delivery left; on the last one it is logged and dropped (not ours, or a
second copy of an email whose first send was never recorded), never dead-lettered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notifications import dal
from shared.notifications.feedback import (
    MessageNotYetKnown,
    parse_body,
    plan,
    retry_unknown,
)
from shared.observability import logger

Outcome = Literal["applied", "ignored", "unknown"]


@dataclass(frozen=True, slots=True)
class FeedbackDeps:
    transaction: Callable[[], Any]  # a context manager giving a Conn in one transaction
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


def handle_body(body: str, deps: FeedbackDeps, delivery: int = 1) -> Outcome:
    """One notification (``delivery``: SQS's count of deliveries of it, this one included)."""
    notification = parse_body(body)
    effect = plan(notification) if notification is not None else None
    if notification is None or effect is None:
        return "ignored"
    with deps.transaction() as conn:
        # The address is suppressed whether or not the message is ours to find.
        for suppression in effect.suppressions:
            dal.suppress(conn, suppression.email, suppression.reason, suppression.detail)
        found = dal.record_feedback(
            conn,
            effect.provider_id,
            at=effect.at,
            status=effect.status,
            delivered_at=effect.delivered_at,
            note=effect.note,
        )
    log = {"ses_message_id": effect.provider_id, "ses_event": notification.event_type}
    if found:
        logger.info("SES feedback recorded", extra={**log, "status": effect.status})
        return "applied"
    if retry_unknown(notification.mail.timestamp, deps.now(), delivery):
        raise MessageNotYetKnown(effect.provider_id)
    logger.warning("SES feedback for a message not in the log", extra={**log, "delivery": delivery})
    return "unknown"


def handle_batch(
    event: dict[str, Any], deps: FeedbackDeps, context: LambdaContext | None = None
) -> dict[str, Any]:
    def record_handler(record: SQSRecord) -> Outcome:
        count = record.attributes.get("ApproximateReceiveCount")
        return handle_body(record.body, deps, int(count) if count else 1)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
