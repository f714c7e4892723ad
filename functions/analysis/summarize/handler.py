"""Workflow step: the summary (2-3 paragraphs, strengths, weaknesses, red flags, verdict)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis import workflow
from shared.analysis.deps import default_deps
from shared.analysis.models import SummaryStepInput
from shared.analysis.steps import run_step
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = SummaryStepInput.model_validate(event)
    return run_step(
        lambda: workflow.summarize(default_deps(), step.analysis_id, step.attempt, step.waits)
    )
