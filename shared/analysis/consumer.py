"""The trigger consumer's batch: every event's effect in its own transaction (deduplicated),
then the workflows those transactions committed a start of are started (shared/analysis/starts.py)
and their events relayed at once."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis.settings import get_analysis_settings
from shared.analysis.starts import direct_start_client, start_committed, workflows
from shared.analysis.trigger import TRIGGER_CONSUMER, on_event
from shared.dal.db import get_pool
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.events.outbox import tracking_enqueued
from shared.events.relay import relay_after_commit
from shared.observability import logger

trigger_consumer = EventConsumer(
    TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(get_pool)
)
_settings = get_analysis_settings()
_STARTS = workflows(_settings.state_machine_arn, _settings.answer_state_machine_arn)
# Made at init (a boto3 client takes 0.1-0.5 s to make), not on a completion's path; only where
# the trigger starts workflows itself.
_SFN = direct_start_client() if _STARTS else None


def handle_trigger_batch(
    event: dict[str, Any], context: LambdaContext | None = None
) -> dict[str, Any]:
    began = time.perf_counter()
    with tracking_enqueued() as enqueued:
        result = dict(trigger_consumer.handle_batch(event, context))
    effects = time.perf_counter()
    # Ids of rolled-back effects are simply not found in the outbox.
    started = start_committed(get_pool(), enqueued, _STARTS, _SFN) if _SFN is not None else 0
    starts = time.perf_counter()
    relay_after_commit(get_pool(), enqueued)
    if enqueued:
        logger.info(
            "trigger batch",
            extra={
                "records": len(event.get("Records") or []),
                "enqueued": len(enqueued),
                "started": started,
                "effects_ms": round((effects - began) * 1000, 1),
                "starts_ms": round((starts - effects) * 1000, 1),
                "relay_ms": round((time.perf_counter() - starts) * 1000, 1),
            },
        )
    return result
