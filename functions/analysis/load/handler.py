"""Workflow step: fix the attempt's engine (Groq when a key is set, else offline), reuse the
answers assessed as they arrived, list the others; when none is left, summarise and store at
once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analysis import workflow
from shared.analysis.deps import available_engine, default_deps
from shared.analysis.metrics import record_completed
from shared.analysis.models import StartInput
from shared.analysis.steps import run_step
from shared.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = StartInput.model_validate(event)
    engine, model = run_step(available_engine)
    run = run_step(
        lambda: workflow.load(
            default_deps(),
            step.analysis_id,
            step.attempt,
            engine,
            model,
            execution_arn=step.execution_arn,
        )
    )
    if run.get("stored"):
        record_completed(run["stored"])  # finished at once: every answer was assessed already
    return run
