"""Settings of the event kernel, read once from the environment (set per function by CDK)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EventsSettings(BaseSettings):
    """Where events go, and how hard the publisher and the relay try."""

    model_config = SettingsConfigDict(env_prefix="EVENT_", extra="ignore")

    # EVENT_BUS_NAME: our custom bus; every function that publishes has it in its environment.
    bus_name: Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._/-]+$")]
    publish_max_attempts: Annotated[int, Field(ge=1, le=10)] = 4
    publish_base_delay_s: Annotated[float, Field(ge=0, le=5)] = 0.1
    # Right after a commit the producer tries once, briefly (the outbox relay publishes whatever
    # is left within a minute), so a committed write never outlasts its Lambda's timeout:
    # at most about connect + read seconds, not 4 attempts x 3 botocore tries x 7 s.
    after_commit_connect_timeout_s: Annotated[float, Field(gt=0, le=5)] = 1.0
    after_commit_read_timeout_s: Annotated[float, Field(gt=0, le=10)] = 2.0
    # Rows the relay claims (and locks) per transaction.
    relay_batch_size: Annotated[int, Field(ge=1, le=500)] = 100


@lru_cache(maxsize=1)
def get_events_settings() -> EventsSettings:
    # bus_name has no default: EVENT_BUS_NAME must be in the environment.
    return EventsSettings()
