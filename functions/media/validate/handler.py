"""Media pipeline step: probe and validate (real container, codecs and duration vs question)."""

from __future__ import annotations

from typing import Any

from shared.media import pipeline
from shared.media.deps import default_deps
from shared.media.models import PipelineState
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = PipelineState.model_validate(event)
    return pipeline.probe_and_validate(state, default_deps()).model_dump(mode="json")
