"""Reachability probes for the health check: one cheap round trip per dependency."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg_pool import ConnectionPool

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def postgres_probe(pool: ConnectionPool) -> None:
    with pool.connection() as conn:
        conn.execute("SELECT 1").fetchone()


class NotConfiguredError(Exception):
    """The dependency's name was not given to this function."""


def s3_probe(s3: S3Client, bucket: str | None) -> None:
    if not bucket:
        raise NotConfiguredError("no media bucket is configured (PLATFORM_MEDIA_BUCKET)")
    s3.head_bucket(Bucket=bucket)
