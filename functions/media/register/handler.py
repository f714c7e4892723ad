"""Media pipeline step: register an upload's object (tie it to its answer, once per version)."""

from __future__ import annotations

from typing import Any

from shared.media import pipeline
from shared.media.deps import default_deps
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # The state machine passes the S3 event and its own execution id.
    result = pipeline.register(event["event"], str(event.get("execution", "")), default_deps())
    return result if isinstance(result, dict) else result.model_dump(mode="json")
