"""boto3 clients, created once per process and reused across invocations."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_stepfunctions import SFNClient

# Short timeouts: a function behind API Gateway has ~30 s in all, and health checks must fail fast.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


def _client(service: str) -> Any:
    # AWS_ENDPOINT_URL (set by LocalStack for its functions, or by the developer) is honoured by
    # boto3 itself, so the same code talks to AWS or to the local stack.
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    client: S3Client = _client("s3")
    return client


@lru_cache(maxsize=1)
def secrets_client() -> SecretsManagerClient:
    client: SecretsManagerClient = _client("secretsmanager")
    return client


@lru_cache(maxsize=1)
def sfn_client() -> SFNClient:
    client: SFNClient = _client("stepfunctions")
    return client
