"""Workflow step (every Catch): mark the attempt failed with a reason; publish analysis.failed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis import workflow
from shared.analysis.deps import default_deps
from shared.analysis.metrics import record_failed
from shared.analysis.models import FailStepInput
from shared.analysis.steps import run_step
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = FailStepInput.model_validate(event)
    reason = workflow.failure_reason(step.error.Error, step.error.Cause)
    result = run_step(
        lambda: workflow.mark_failed(default_deps(), step.analysis_id, step.attempt, reason)
    )
    record_failed(1 if result["status"] == "failed" else 0, by="workflow")
    return result
