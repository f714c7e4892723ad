"""The EventBridge client and the default publisher: created once per process, injected."""

from __future__ import annotations

from functools import lru_cache

import boto3
from botocore.config import Config

from shared.events.publisher import EventBridgeClient, EventPublisher
from shared.events.settings import get_events_settings

# The publisher retries failed entries itself; botocore retries transport errors and throttling.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


@lru_cache(maxsize=1)
def events_client() -> EventBridgeClient:
    # AWS_ENDPOINT_URL is honoured by boto3 itself (LocalStack locally, AWS otherwise).
    client: EventBridgeClient = boto3.session.Session().client("events", config=_CONFIG)
    return client


@lru_cache(maxsize=1)
def default_publisher() -> EventPublisher:
    settings = get_events_settings()
    return EventPublisher(
        events_client(),
        settings.bus_name,
        max_attempts=settings.publish_max_attempts,
        base_delay_s=settings.publish_base_delay_s,
    )
