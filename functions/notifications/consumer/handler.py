"""Notifications consumer: the events that cause email, from its SQS queue; each event's
messages queued once (deduplicated) and sent at once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notifications.consumer import handle_batch
from shared.notifications.deps import default_deps, default_webhook_deps
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_batch(event, default_deps(), default_webhook_deps(), context)
