"""Workflow step (inside the Map): analyse one answer and store its result."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis import workflow
from shared.analysis.deps import default_deps
from shared.analysis.models import AnswerStepInput
from shared.analysis.steps import run_step
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = AnswerStepInput.model_validate(event)
    result = run_step(
        lambda: workflow.analyze_answer(
            default_deps(), step.analysis_id, step.attempt, step.answer_id, step.waits
        )
    )
    return {**event, **result}
