"""Scheduled outbox sweep: publishes every event still unpublished, oldest first."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.dal.db import get_pool
from shared.events.clients import default_publisher
from shared.events.relay import sweep
from shared.events.settings import get_events_settings
from shared.observability import logger

# Stop claiming new batches this long before the function's timeout.
SAFETY_MARGIN_S = 5.0


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    remaining_s = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_S
    report = sweep(
        get_pool(),
        default_publisher(),
        batch_size=get_events_settings().relay_batch_size,
        deadline=time.monotonic() + max(remaining_s, 1.0),
    )
    logger.info("outbox sweep done", extra={"published": report.published, "failed": report.failed})
    return {"published": report.published, "failed": report.failed, "batches": report.batches}
