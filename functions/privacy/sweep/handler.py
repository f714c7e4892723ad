"""Scheduled: erase what is past its company's retention period; finish failed erasures."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger
from shared.privacy.erasure import default_erasure_deps
from shared.privacy.settings import get_privacy_settings
from shared.privacy.sweep import sweep

# Stop starting new rounds this long before the function's timeout.
SAFETY_MARGIN_S = 10.0
deps = default_erasure_deps()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    logger.set_correlation_id(str(event.get("id") or uuid.uuid4()))
    remaining_s = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_S
    report = sweep(
        deps,
        batch=get_privacy_settings().sweep_batch,
        deadline=time.monotonic() + max(remaining_s, 1.0),
    )
    logger.info(
        "privacy sweep done",
        extra={"requested": report.requested, "erased": report.erased, "failing": report.failing},
    )
    return {"requested": report.requested, "erased": report.erased, "failing": report.failing}
