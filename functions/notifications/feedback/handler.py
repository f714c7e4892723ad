"""SES feedback consumer: Delivery, Bounce, Complaint and Reject notifications of our
configuration set, from their SQS queue (SES -> SNS -> SQS); each recorded on its message, and
hard-bounced or complaining addresses suppressed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notifications.deps import default_feedback_deps
from shared.notifications.feedback_consumer import handle_batch
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_batch(event, default_feedback_deps(), context)
