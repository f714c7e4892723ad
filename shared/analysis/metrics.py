"""The analysis's business metrics (CloudWatch embedded metric format, through Powertools):
how many analyses complete or fail, how long they take, and what the model costs.

Dimensions stay low-cardinality (the engine); reasons and ids belong in the logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.observability import get_metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics


def record_completed(stored: Mapping[str, Any], metrics: Metrics | None = None) -> None:
    """What the store step reports of a completed analysis."""
    from aws_lambda_powertools.metrics import MetricUnit  # noqa: PLC0415 - on first use

    m = metrics or get_metrics()
    m.add_dimension(name="engine", value=str(stored["engine"]))
    m.add_metric(name="AnalysisCompleted", unit=MetricUnit.Count, value=1)
    if stored.get("latencyMs") is not None:
        m.add_metric(
            name="AnalysisLatency", unit=MetricUnit.Milliseconds, value=stored["latencyMs"]
        )
    answers = max(1, int(stored.get("answers") or 1))
    tokens = int(stored["promptTokens"]) + int(stored["completionTokens"])
    m.add_metric(name="LlmTokensPerAnswer", unit=MetricUnit.Count, value=tokens / answers)
    # CloudWatch has no currency unit: micro-dollars as a count keep the figure an integer.
    m.add_metric(
        name="LlmCostMicroUsd", unit=MetricUnit.Count, value=round(stored["costUsd"] * 1e6)
    )
    m.flush_metrics()


def record_failed(count: int, *, by: str, metrics: Metrics | None = None) -> None:
    """Analyses that ended failed: ``by`` the workflow's Catch or the sweep."""
    if count <= 0:
        return
    from aws_lambda_powertools.metrics import MetricUnit  # noqa: PLC0415 - on first use

    m = metrics or get_metrics()
    m.add_dimension(name="by", value=by)
    m.add_metric(name="AnalysisFailed", unit=MetricUnit.Count, value=count)
    m.flush_metrics()
