"""Media pipeline step: the transcript path in one step: the WAV extracted, transcribed (Groq
whisper; the offline engine without a key), stored and announced (media.transcribed)."""

from __future__ import annotations

from typing import Any

from shared.media import pipeline
from shared.media.deps import default_deps
from shared.media.models import PipelineState
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return pipeline.transcript(PipelineState.model_validate(event), default_deps()).model_dump(
        mode="json"
    )
