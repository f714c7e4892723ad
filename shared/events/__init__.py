"""The event kernel: envelope, catalogue, outbox, publisher, relay, consumers.

Producers::

    with pool.connection() as conn, conn.transaction():
        ...  # domain rows
        event = new_event("user.registered", UserRegistered(...), source=..., correlation_id=...)
        enqueue(conn, event)
    relay_after_commit(pool, [event.event_id])
"""

from __future__ import annotations

from typing import Any

from shared.events.catalogue import catalogue, payload_model
from shared.events.envelope import EventEnvelope
from shared.events.errors import (
    EventContractError,
    MalformedEventError,
    PublishError,
    UnknownEventTypeError,
)
from shared.events.factory import new_event
from shared.events.outbox import enqueue

__all__ = [
    "CATALOGUE",
    "EventContractError",
    "EventEnvelope",
    "MalformedEventError",
    "PublishError",
    "UnknownEventTypeError",
    "catalogue",
    "enqueue",
    "new_event",
    "payload_model",
]


def __getattr__(name: str) -> Any:
    # CATALOGUE imports every context's event models: assembled only when asked for.
    if name == "CATALOGUE":
        return catalogue()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
