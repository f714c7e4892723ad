"""Settings: read from the environment once, validated at cold start, then passed around.

Logic never reads ``os.environ``; handlers call :func:`get_settings` and hand what they need down.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """Where PostgreSQL is.

    In AWS the connection comes from a Secrets Manager secret in the RDS secret format
    (``DB_SECRET_ARN``); locally the plain settings are enough.
    """

    model_config = SettingsConfigDict(env_prefix="DB_", extra="ignore")

    secret_arn: str | None = None
    # In AWS functions reach PostgreSQL through RDS Proxy, not the host the secret names.
    proxy_host: str | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 5432
    name: Annotated[str, Field(min_length=1, max_length=63)] = "interview"
    user: Annotated[str, Field(min_length=1, max_length=63)] = "postgres"
    password: SecretStr | None = None
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = "prefer"
    # Short: a route answers 503 within about this long when PostgreSQL is down (not a 500
    # after the caller gave up), and a workflow step fails fast into its retry.
    connect_timeout_s: Annotated[int, Field(ge=1, le=60)] = 2
    # How long the pool keeps retrying one failed connection in the background before it lets
    # the next request try afresh: short, so a restarted PostgreSQL is used within seconds
    # instead of after the pool's growing backoff (1, 2, 4, ... s, up to 5 minutes by default).
    pool_reconnect_timeout_s: Annotated[float, Field(ge=1, le=600)] = 2.0
    pool_min_size: Annotated[int, Field(ge=0, le=10)] = 0
    pool_max_size: Annotated[int, Field(ge=1, le=20)] = 2
    pool_max_idle_s: Annotated[float, Field(ge=5, le=3600)] = 60.0


class PlatformSettings(BaseSettings):
    """What every function of the platform needs to know about where it runs."""

    model_config = SettingsConfigDict(env_prefix="PLATFORM_", extra="ignore")

    service: Annotated[str, Field(min_length=1, max_length=64)] = "interview-platform"
    stage: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$")] = "local"
    version: Annotated[str, Field(min_length=1, max_length=64)] = "dev"
    media_bucket: Annotated[str, Field(min_length=3, max_length=63)] | None = None
    # The frontend's origin, used for CORS; one origin, never "*".
    frontend_origin: Annotated[str, Field(max_length=255)] = "http://localhost:5173"

    @model_validator(mode="after")
    def _no_wildcard_origin(self) -> PlatformSettings:
        if "*" in self.frontend_origin:
            raise ValueError("PLATFORM_FRONTEND_ORIGIN must be one origin, not a wildcard")
        return self


@lru_cache(maxsize=1)
def get_platform_settings() -> PlatformSettings:
    return PlatformSettings()


@lru_cache(maxsize=1)
def get_database_settings() -> DatabaseSettings:
    return DatabaseSettings()
