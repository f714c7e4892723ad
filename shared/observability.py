"""One Logger, Tracer and Metrics for the whole platform (Powertools).

Service name comes from ``POWERTOOLS_SERVICE_NAME``; the metrics namespace from
``POWERTOOLS_METRICS_NAMESPACE``. Both are set per function by CDK.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(utc=True)
tracer = Tracer()
metrics = Metrics()

__all__ = ["logger", "metrics", "tracer"]
