"""Publishing envelopes to our EventBridge bus: batches of 10, failed entries retried.

EventBridge accepts at most 10 entries per ``PutEvents`` and may refuse some of them (throttling,
internal errors) while accepting the rest: only the refused ones are sent again, with jittered
exponential backoff, a bounded number of times. Publishing twice is allowed (consumers dedupe);
losing an event is not, so whatever still failed is reported to the caller, which keeps it in
the outbox.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from botocore.exceptions import BotoCoreError, ClientError

from shared.events.envelope import EventEnvelope

MAX_ENTRIES_PER_CALL = 10


class EventBridgeClient(Protocol):
    """The one call of boto3's ``events`` client we use."""

    def put_events(self, *, Entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]: ...


@dataclass(slots=True)
class PublishResult:
    published: list[UUID] = field(default_factory=list)
    # event id -> the last error EventBridge (or the transport) gave for it
    failed: dict[UUID, str] = field(default_factory=dict)


def to_entry(event: EventEnvelope, bus_name: str) -> dict[str, str]:
    return {
        "EventBusName": bus_name,
        "Source": event.source,
        "DetailType": event.event_type,
        "Detail": event.to_json(),
        "Time": event.occurred_at.isoformat(),
    }


def chunks[T](items: Sequence[T], size: int = MAX_ENTRIES_PER_CALL) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class EventPublisher:
    def __init__(
        self,
        client: EventBridgeClient,
        bus_name: str,
        *,
        max_attempts: int = 4,
        base_delay_s: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self._client = client
        self._bus_name = bus_name
        self._max_attempts = max_attempts
        self._base_delay_s = base_delay_s
        self._sleep = sleep

    @property
    def bus_name(self) -> str:
        return self._bus_name

    def publish(self, events: Sequence[EventEnvelope]) -> PublishResult:
        result = PublishResult()
        for chunk in chunks(events):
            self._publish_chunk(chunk, result)
        return result

    def _publish_chunk(self, chunk: Sequence[EventEnvelope], result: PublishResult) -> None:
        pending = list(chunk)
        errors: dict[UUID, str] = {}
        for attempt in range(self._max_attempts):
            if attempt:
                # Full jitter: concurrent relays retrying together do not stay in lockstep.
                self._sleep(random.uniform(0, self._base_delay_s * 2 ** (attempt - 1)))  # noqa: S311
            entries = [to_entry(event, self._bus_name) for event in pending]
            try:
                response = self._client.put_events(Entries=entries)
            except (BotoCoreError, ClientError) as exc:
                errors.update({event.event_id: f"{type(exc).__name__}: {exc}" for event in pending})
                continue
            answers: list[Mapping[str, Any]] = list(response.get("Entries", []))
            retry: list[EventEnvelope] = []
            for index, event in enumerate(pending):
                answer = answers[index] if index < len(answers) else {}
                if answer.get("EventId") and not answer.get("ErrorCode"):
                    result.published.append(event.event_id)
                    errors.pop(event.event_id, None)
                else:
                    code = answer.get("ErrorCode", "NoAnswer")
                    errors[event.event_id] = f"{code}: {answer.get('ErrorMessage', '')}".strip()
                    retry.append(event)
            pending = retry
            if not pending:
                return
        result.failed.update({event.event_id: errors[event.event_id] for event in pending})
