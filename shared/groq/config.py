"""Groq's connection settings, read from Secrets Manager, and the one client per process.

The secret (name in ``GROQ_SECRET_NAME``, per stage ``interview-platform/{stage}/groq``) holds
``{"api_key": "...", "base_url": null | "http://127.0.0.1:PORT"}``. No key means no Groq: the
callers then use their offline engines, labelled as such. ``scripts/stack.py deploy`` writes it
from the operator's ``GROQ_API_KEY``; tests point it at the fake Groq server. It is re-read after
``cache_s`` so a changed secret counts without a redeploy; the key never reaches a log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.dal.secrets import CachedSecretSource

if TYPE_CHECKING:
    import groq

DEFAULT_CACHE_S = 60.0


class GroqSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROQ_", extra="ignore")

    secret_name: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    cache_s: Annotated[float, Field(ge=0, le=3600)] = DEFAULT_CACHE_S
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 60.0
    # The SDK's own retries are off: our callers (and Step Functions) own the retry policy.
    max_retries: Annotated[int, Field(ge=0, le=5)] = 0


class GroqSecret(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    api_key: SecretStr | None = None
    base_url: Annotated[str, Field(max_length=512)] | None = None

    @property
    def enabled(self) -> bool:
        return self.api_key is not None and bool(self.api_key.get_secret_value())


class GroqConfigSource(CachedSecretSource[GroqSecret, "groq.Groq"]):
    """Groq's secret (cached for ``cache_s``) and one client per distinct config."""

    def __init__(
        self,
        settings: GroqSettings,
        *,
        read: Callable[[str], str | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(settings.secret_name, settings.cache_s, read=read, clock=clock)
        self._settings = settings

    def _parse(self, document: dict[str, object] | None) -> GroqSecret:
        return GroqSecret.model_validate(document) if document else GroqSecret()

    def _enabled(self, secret: GroqSecret) -> bool:
        return secret.enabled

    def _build(self, secret: GroqSecret) -> groq.Groq:
        import groq  # noqa: PLC0415 - heavy SDK, imported on first use

        assert secret.api_key is not None
        return groq.Groq(
            api_key=secret.api_key.get_secret_value(),
            base_url=secret.base_url,
            timeout=self._settings.timeout_s,
            max_retries=self._settings.max_retries,
        )


@lru_cache(maxsize=1)
def groq_source() -> GroqConfigSource:
    return GroqConfigSource(GroqSettings())
