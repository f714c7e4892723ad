"""Authentication settings: validated once at cold start (env prefix ``AUTH_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    issuer: Annotated[str, Field(min_length=1, max_length=255)] = (
        "https://auth.interview-platform.dev"
    )
    audience: Annotated[str, Field(min_length=1, max_length=255)] = "interview-platform-api"
    access_ttl_s: Annotated[int, Field(ge=60, le=3600)] = 15 * 60
    refresh_ttl_s: Annotated[int, Field(ge=3600, le=90 * 24 * 3600)] = 30 * 24 * 3600
    # Tokens may be a little early/late across machines' clocks.
    leeway_s: Annotated[int, Field(ge=0, le=120)] = 30
    key_secret_name: Annotated[str, Field(min_length=1, max_length=512)] = (
        "interview-platform/local/jwt-signing-key"  # noqa: S105 - a secret's name
    )
    key_bits: Annotated[int, Field(ge=2048, le=3072)] = 2048
    # How long a function trusts its cached copy of the key ring (rotation propagates after it).
    key_cache_s: Annotated[int, Field(ge=0, le=3600)] = 300
    # Other OIDC issuers we accept (issuer -> JWKS URL), e.g. Cognito or Keycloak.
    extra_issuers: dict[str, HttpUrl] = Field(default_factory=dict)
    # Login rate limits: failures in the window, per account and per source address.
    login_window_s: Annotated[int, Field(ge=10, le=24 * 3600)] = 15 * 60
    login_max_failures_per_account: Annotated[int, Field(ge=1, le=100)] = 5
    login_max_failures_per_source: Annotated[int, Field(ge=1, le=1000)] = 20
    avatar_max_bytes: Annotated[int, Field(ge=1024, le=20 * 1024 * 1024)] = 5 * 1024 * 1024
    avatar_url_ttl_s: Annotated[int, Field(ge=30, le=900)] = 300


@lru_cache(maxsize=1)
def get_auth_settings() -> AuthSettings:
    return AuthSettings()
