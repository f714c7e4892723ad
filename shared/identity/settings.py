"""Identity's own settings: validated once at cold start."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Argon2Settings(BaseSettings):
    """argon2id cost. Defaults are RFC 9106's second recommended option
    (t=3 passes, m=64 MiB, p=4 lanes, 16-byte salt, 32-byte tag): memory-hard enough to make
    GPU guessing expensive, and ~100-200 ms on a Lambda with 512 MB."""

    model_config = SettingsConfigDict(env_prefix="AUTH_ARGON2_", extra="ignore")

    time_cost: Annotated[int, Field(ge=1, le=10)] = 3
    memory_kib: Annotated[int, Field(ge=8 * 1024, le=256 * 1024)] = 64 * 1024
    parallelism: Annotated[int, Field(ge=1, le=8)] = 4


@lru_cache(maxsize=1)
def get_argon2_settings() -> Argon2Settings:
    return Argon2Settings()
