"""The EventBridge client and the default publisher: created once per process, injected."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from shared.dal.aws import new_client
from shared.events.publisher import EventBridgeClient, EventPublisher
from shared.events.settings import get_events_settings


@lru_cache(maxsize=1)
def events_client() -> EventBridgeClient:
    # The publisher retries failed entries itself; botocore retries transport errors and
    # throttling.
    events: EventBridgeClient = new_client("events")
    return events


@lru_cache(maxsize=1)
def default_publisher() -> EventPublisher:
    settings = get_events_settings()
    return EventPublisher(
        events_client(),
        settings.bus_name,
        max_attempts=settings.publish_max_attempts,
        base_delay_s=settings.publish_base_delay_s,
    )


def after_commit_client(service: str) -> Any:
    """A client of ``service`` for a call right after a producer's commit: one try with short
    timeouts (what it cannot do, a schedule or a rule does later)."""
    settings = get_events_settings()
    return new_client(
        service,
        connect_timeout_s=settings.after_commit_connect_timeout_s,
        read_timeout_s=settings.after_commit_read_timeout_s,
        total_attempts=1,
    )


@lru_cache(maxsize=1)
def after_commit_publisher() -> EventPublisher:
    """One try with short timeouts, for publishing right after a producer's commit; what it
    cannot publish stays in the outbox for the relay's schedule."""
    client: EventBridgeClient = after_commit_client("events")
    return EventPublisher(client, get_events_settings().bus_name, max_attempts=1)
