"""The answer workflow's step: assess one final answer before the interview completes (or,
from the workflow's Catch, give its claim back so the interview's workflow assesses it)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis import workflow
from shared.analysis.deps import default_deps
from shared.analysis.models import AssessStepInput
from shared.analysis.steps import run_step
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = AssessStepInput.model_validate(event)
    if step.release:
        return run_step(lambda: workflow.release_answer(default_deps(), step.answer_id))
    result = run_step(lambda: workflow.assess_answer(default_deps(), step.answer_id, step.waits))
    return {**event, **result}
