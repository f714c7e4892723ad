"""boto3 clients, created once per process on first use and reused across invocations.

boto3 (~150 ms of imports) is imported by the first client, so a function whose path never
talks to AWS never pays for it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_stepfunctions import SFNClient


def new_client(
    service: str,
    *,
    connect_timeout_s: float = 2,
    read_timeout_s: float = 5,
    total_attempts: int = 4,
    signature_version: str | None = None,
) -> Any:
    """A new client of ``service`` with the platform's timeouts and retries (or tighter ones,
    for a call that must stay brief). S3 signs with SigV4 (its presigned URLs too: SigV2 is
    deprecated, and the local S3 verifies them)."""
    import boto3  # noqa: PLC0415 - on the first client only
    from botocore.config import Config  # noqa: PLC0415

    # Short timeouts: a function behind API Gateway has ~30 s in all, and health checks must
    # fail fast.
    config = Config(
        connect_timeout=connect_timeout_s,
        read_timeout=read_timeout_s,
        # botocore's `max_attempts` counts retries; `total_max_attempts` counts every try.
        retries={"mode": "standard", "total_max_attempts": total_attempts},
        signature_version=signature_version,
    )
    # AWS_ENDPOINT_URL (set by LocalStack for its functions, or by the developer) is honoured by
    # boto3 itself, so the same code talks to AWS or to the local stack.
    return boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    made: S3Client = new_client("s3", signature_version="s3v4")
    return made


@lru_cache(maxsize=1)
def secrets_client() -> SecretsManagerClient:
    made: SecretsManagerClient = new_client("secretsmanager")
    return made


@lru_cache(maxsize=1)
def sfn_client() -> SFNClient:
    made: SFNClient = new_client("stepfunctions")
    return made


def delete_all_versions(bucket: str, prefixes: list[str], client: S3Client | None = None) -> int:
    """Delete every version and delete marker under the prefixes of a versioned bucket (an
    erasure: a plain DeleteObject would only hide the object behind a marker); how many."""
    s3 = client or s3_client()
    removed = 0
    paginator = s3.get_paginator("list_object_versions")
    for prefix in prefixes:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            targets: list[dict[str, str]] = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            for start in range(0, len(targets), 1000):
                batch = targets[start : start + 1000]
                s3.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": batch, "Quiet": True},  # type: ignore[typeddict-item]
                )
                removed += len(batch)
    return removed
