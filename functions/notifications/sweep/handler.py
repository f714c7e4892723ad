"""Scheduled: queue the reminders now due, and send every message that is due (retries, and
what the consumer could not send)."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notifications.consumer import sweep
from shared.notifications.deps import default_deps, default_webhook_deps
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    logger.set_correlation_id(str(event.get("id") or uuid.uuid4()))
    report = sweep(default_deps(), default_webhook_deps())
    logger.info("notifications sweep done", extra=report)
    return report
