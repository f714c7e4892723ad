"""The data-rights settings, read from the environment once (``PRIVACY_*``), validated."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PrivacySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVACY_", extra="ignore")

    # An export's media links (presigned GETs of one key each) live this long.
    export_url_ttl_s: Annotated[int, Field(ge=30, le=900)] = 300
    # The sweep: erasures requested for retention per round, and erasures run per round.
    sweep_batch: Annotated[int, Field(ge=1, le=1000)] = 50
    # The audit log's page size: default and most.
    audit_page_default: Annotated[int, Field(ge=1, le=200)] = 50


@lru_cache(maxsize=1)
def get_privacy_settings() -> PrivacySettings:
    return PrivacySettings()
