"""The context's dependencies, built once per process, on first use."""

from __future__ import annotations

from functools import lru_cache

from shared.dal.aws import s3_client
from shared.dal.db import transaction
from shared.reports.jobs import Deps
from shared.reports.settings import get_reports_settings
from shared.settings import get_platform_settings


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = get_reports_settings()
    bucket = settings.bucket or get_platform_settings().media_bucket
    if not bucket:
        raise RuntimeError("REPORTS_BUCKET or PLATFORM_MEDIA_BUCKET must name the bucket")
    return Deps(transaction=transaction, s3=s3_client, bucket=bucket, settings=settings)
