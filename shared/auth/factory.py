"""The process's key store and token verifier, created once and reused (cold-start light:
no FastAPI, no database driver, so the authorizer can use them alone)."""

from __future__ import annotations

from functools import lru_cache

from shared.auth.keys import SecretsKeyStore
from shared.auth.settings import get_auth_settings
from shared.auth.tokens import TokenVerifier


@lru_cache(maxsize=1)
def key_store() -> SecretsKeyStore:
    from shared.dal.aws import secrets_client  # noqa: PLC0415 - boto3 only when keys are needed

    settings = get_auth_settings()
    return SecretsKeyStore(
        secrets_client(),
        settings.key_secret_name,
        bits=settings.key_bits,
        cache_s=settings.key_cache_s,
    )


@lru_cache(maxsize=1)
def verifier() -> TokenVerifier:
    settings = get_auth_settings()
    return TokenVerifier(
        key_store(),
        issuer=settings.issuer,
        audience=settings.audience,
        leeway_s=settings.leeway_s,
        extra_issuers={issuer: str(url) for issuer, url in settings.extra_issuers.items()},
    )
