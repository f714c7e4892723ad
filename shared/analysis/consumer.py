"""The trigger consumer's batch: every event's effect in its own transaction (deduplicated),
then the analysis.started events those transactions committed are relayed at once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis.trigger import TRIGGER_CONSUMER, on_event
from shared.dal.db import get_pool
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.events.outbox import tracking_enqueued
from shared.events.relay import relay_after_commit

trigger_consumer = EventConsumer(
    TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(get_pool)
)


def handle_trigger_batch(
    event: dict[str, Any], context: LambdaContext | None = None
) -> dict[str, Any]:
    with tracking_enqueued() as enqueued:
        result = dict(trigger_consumer.handle_batch(event, context))
    # Ids of rolled-back effects are simply not found in the outbox.
    relay_after_commit(get_pool(), enqueued)
    return result
