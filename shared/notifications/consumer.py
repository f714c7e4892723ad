"""The notifications consumer's batch: each event's email messages and webhook deliveries
queued in its own deduplicated transaction, then sent at once (what cannot be sent now, the
sweep sends later)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.dal.db import get_pool
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.notifications.delivery import DeliveryDeps, deliver
from shared.notifications.planning import CONSUMER, on_event, queue_reminders, tracking_queued
from shared.notifications.webhooks import WebhookDeps, dispatch

consumer = EventConsumer(CONSUMER, on_event, PostgresDeduplicator.from_pool(get_pool))


def handle_batch(
    event: dict[str, Any],
    deps: DeliveryDeps,
    hooks: WebhookDeps,
    context: LambdaContext | None = None,
) -> dict[str, Any]:
    with tracking_queued() as queued:
        result = dict(consumer.handle_batch(event, context))
    deliver(queued.messages, deps)
    # (An endpoint disabled meanwhile queued its owner's email: the sweep sends it.)
    dispatch(queued.deliveries, hooks)
    return result


def sweep(deps: DeliveryDeps, hooks: WebhookDeps) -> dict[str, int]:
    """The schedule's run: queue the reminders now due, then send every due webhook delivery
    and every due message (retries, and what a consumer could not send)."""
    with deps.transaction() as conn:
        reminders = queue_reminders(conn, deps.settings.reminder_before_s, deps.settings.batch_size)
    hooked = dispatch(None, hooks)
    report = deliver(None, deps)
    return {
        "reminders_queued": reminders,
        "sent": report.sent,
        "suppressed": report.suppressed,
        "retried": report.retried,
        "failed": report.failed,
        "webhooks_succeeded": hooked.get("succeeded", 0),
        "webhooks_retried": hooked.get("retried", 0),
        "webhooks_failed": hooked.get("failed", 0),
    }
