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
    # A refresh-token family's absolute lifetime, from its sign-in: rotation never outlives it.
    refresh_family_max_age_s: Annotated[int, Field(ge=60, le=365 * 24 * 3600)] = 30 * 24 * 3600
    # Clock skew tolerated on exp/nbf/iat: an expired access token is accepted this long.
    leeway_s: Annotated[int, Field(ge=0, le=60)] = 5
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
    # Per (source, account): this many failures are free, then each next attempt waits
    # base * 2**(failures - free) seconds after the last failure, at most max.
    login_pair_free_failures: Annotated[int, Field(ge=1, le=100)] = 5
    login_pair_base_delay_s: Annotated[int, Field(ge=1, le=3600)] = 30
    login_pair_max_delay_s: Annotated[int, Field(ge=1, le=24 * 3600)] = 15 * 60
    # The per-account limit is a soft lock: a source that signed in to the account within this
    # many days is not locked out by failures from elsewhere (only its own delays apply).
    login_known_source_days: Annotated[int, Field(ge=0, le=365)] = 30
    # Sign-ups per source address in the window (each costs an argon2 hash).
    register_window_s: Annotated[int, Field(ge=10, le=24 * 3600)] = 3600
    register_max_per_source: Annotated[int, Field(ge=1, le=1_000_000)] = 10
    avatar_max_bytes: Annotated[int, Field(ge=1024, le=20 * 1024 * 1024)] = 5 * 1024 * 1024
    avatar_url_ttl_s: Annotated[int, Field(ge=30, le=900)] = 300


@lru_cache(maxsize=1)
def get_auth_settings() -> AuthSettings:
    return AuthSettings()
