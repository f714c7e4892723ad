"""What can go wrong with events. Consumers decide retry vs dead letter by these types."""

from __future__ import annotations


class EventContractError(ValueError):
    """An event does not match the catalogue (a producer bug, or a malformed message)."""


class UnknownEventTypeError(EventContractError):
    """The event type is not in the catalogue."""


class MalformedEventError(EventContractError):
    """A received message is not an EventBridge event carrying a valid envelope."""


class PublishError(Exception):
    """EventBridge kept refusing some entries after every retry."""

    def __init__(self, message: str, failed_event_ids: list[str]) -> None:
        super().__init__(message)
        self.failed_event_ids = failed_event_ids
