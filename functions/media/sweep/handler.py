"""Scheduled: re-drive media pipelines that ended without finishing their answer's media."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from typing import Any

from shared.media import dal
from shared.media.deps import default_deps
from shared.media.settings import get_media_settings
from shared.media.sweep import Workflow, sweep
from shared.observability import logger
from shared.settings import get_platform_settings


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    logger.set_correlation_id(str(event.get("id") or uuid.uuid4()))
    settings = get_media_settings()
    bucket = get_platform_settings().media_bucket
    if not settings.state_machine_arn or not bucket:
        raise RuntimeError("MEDIA_STATE_MACHINE_ARN and PLATFORM_MEDIA_BUCKET must be set")
    workflow = Workflow(
        state_machine_arn=settings.state_machine_arn,
        status=dal.execution_status,
        start=functools.partial(dal.start_execution, settings.state_machine_arn),
        head=dal.head_version,
    )
    report = sweep(
        default_deps(),
        workflow,
        bucket=bucket,
        min_age_s=settings.sweep_min_age_s,
        max_age_s=settings.sweep_max_age_s,
        limit=settings.sweep_limit,
    )
    counts = dataclasses.asdict(report)
    logger.info("media sweep done", extra=counts)
    return counts
