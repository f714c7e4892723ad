"""Scheduled every minute: expire overdue invitations, auto-complete interviews idle 30 min."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.dal.db import transaction
from shared.interviews.settings import get_candidate_settings
from shared.interviews.sweep import sweep
from shared.observability import logger

# Stop claiming new batches this long before the function's timeout.
SAFETY_MARGIN_S = 5.0


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    cid = str(event.get("id") or uuid.uuid4())
    logger.set_correlation_id(cid)
    remaining_s = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_S
    report = sweep(
        transaction,
        get_candidate_settings(),
        cid,
        deadline=time.monotonic() + max(remaining_s, 1.0),
    )
    logger.info(
        "interview sweep done", extra={"expired": report.expired, "auto": report.auto_completed}
    )
    return {
        "expired": report.expired,
        "auto_completed": report.auto_completed,
        "batches": report.batches,
    }
