"""Workflow step: score by our rules, store the result and publish analysis.completed (one
transaction)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis import workflow
from shared.analysis.deps import default_deps
from shared.analysis.metrics import record_completed
from shared.analysis.models import StartInput
from shared.analysis.steps import run_step
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = StartInput.model_validate(event)
    stored = run_step(lambda: workflow.store(default_deps(), step.analysis_id, step.attempt))
    record_completed(stored)
    return stored
