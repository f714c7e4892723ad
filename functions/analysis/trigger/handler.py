"""Analysis trigger: invitation.completed, media.processed and media.failed from its SQS queue;
starts an invitation's analysis once, when the last of them is in."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis.consumer import handle_trigger_batch
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_trigger_batch(event, context)
