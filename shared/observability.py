"""One Logger, Tracer and Metrics for the whole platform (Powertools).

Service name comes from ``POWERTOOLS_SERVICE_NAME``; the metrics namespace from
``POWERTOOLS_METRICS_NAMESPACE``. Both are set per function by CDK.

The logger is needed by every function; the tracer (the X-Ray SDK, ~200 ms of imports and module
patching) and metrics are created on first use, so functions that do not trace do not pay for it
at cold start.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics, Tracer

logger = Logger(utc=True)


def correlation_id() -> str:
    """The current request's correlation id (set by the HTTP edge or the consumer)."""
    return str(logger.get_correlation_id() or "none")


@cache
def get_tracer() -> Tracer:
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - imported on first use

    return Tracer()


@cache
def get_metrics() -> Metrics:
    from aws_lambda_powertools import Metrics  # noqa: PLC0415 - imported on first use

    return Metrics()


__all__ = ["correlation_id", "get_metrics", "get_tracer", "logger"]
