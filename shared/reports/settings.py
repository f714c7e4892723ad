"""The reports' settings, read from the environment once (``REPORTS_*``), validated."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class ReportsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTS_", extra="ignore")

    # Where reports are stored (under ``reports/``); the platform's media bucket by default.
    bucket: Annotated[str, Field(min_length=3, max_length=63)] | None = None
    # A download link lives this long (a presigned GET of one key).
    download_ttl_s: Annotated[int, Field(ge=10, le=900)] = 300
    # S3 multipart parts of an export (S3's minimum part is 5 MiB, the last part excepted).
    part_size_bytes: Annotated[int, Field(ge=5 * MIB, le=64 * MIB)] = 8 * MIB
    # Rows fetched per round trip from the export's server-side cursor.
    fetch_rows: Annotated[int, Field(ge=100, le=20_000)] = 2_000
    # The longest date range the funnel and an export take.
    max_range_days: Annotated[int, Field(ge=1, le=3660)] = 731
    # A job still generating after this is reported failed (its function died mid-way).
    stale_after_s: Annotated[int, Field(ge=60, le=86_400)] = 900


@lru_cache(maxsize=1)
def get_reports_settings() -> ReportsSettings:
    return ReportsSettings()
