"""Reports consumer: invitation, answer, analysis, decision and report.requested events from its
SQS queue; the facts the exports and the funnel read, and the PDFs and exports to make."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger
from shared.reports.consumer import handle_batch
from shared.reports.deps import default_deps


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_batch(event, default_deps(), context)
