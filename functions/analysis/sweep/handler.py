"""Scheduled: fail the analyses whose workflow ended (or never started) without a result."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis.deps import default_deps
from shared.analysis.executions import describe_execution
from shared.analysis.metrics import record_failed
from shared.analysis.steps import run_step
from shared.analysis.sweep import restart_waiting, sweep
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    logger.set_correlation_id(str(event.get("id") or uuid.uuid4()))
    deps = default_deps()
    report = run_step(
        lambda: sweep(
            deps,
            describe_execution,
            min_age_s=deps.settings.sweep_min_age_s,
            start_grace_s=deps.settings.start_grace_s,
            limit=deps.settings.sweep_limit,
        )
    )
    record_failed(report.failed, by="sweep")
    restarted = run_step(
        lambda: restart_waiting(
            deps, min_age_s=deps.settings.trigger_sweep_min_age_s, limit=deps.settings.sweep_limit
        )
    )
    logger.info(
        "analysis sweep done",
        extra={"failed": report.failed, "checked": report.checked, "restarted": restarted},
    )
    return {
        "checked": report.checked,
        "failed": report.failed,
        "unknown": report.unknown,
        "restarted": restarted,
    }
