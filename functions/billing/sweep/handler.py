"""Scheduled: companies whose grace period after a failed payment is over drop to Free."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.billing.deps import default_sweep_deps
from shared.billing.dunning import sweep
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    logger.set_correlation_id(str(event.get("id") or uuid.uuid4()))
    report = sweep(default_sweep_deps())
    logger.info("billing sweep done", extra=report)
    return report
