"""Audit log consumer: identity and company events from its SQS queue into platform.audit_log."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.dal.db import get_pool
from shared.events.audit import AUDIT_CONSUMER, record_audit
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.observability import logger

consumer = EventConsumer(AUDIT_CONSUMER, record_audit, PostgresDeduplicator.from_pool(get_pool))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(consumer.handle_batch(event, context))
