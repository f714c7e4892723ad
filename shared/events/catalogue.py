"""The catalogue: every event type the platform emits, and the model of its payload.

Each bounded context lists its events in ``shared/models/events/<context>.py``; adding an event
type means adding it there (and to ``_MODULE_OF_PREFIX`` for a new prefix, and regenerating
``events/schemas`` with ``make event-schemas``).

A function looks up only the types it emits or consumes, so ``payload_model`` imports only the
owning context's module; the whole ``CATALOGUE`` is assembled on first access.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from pydantic import BaseModel

from shared.events.errors import UnknownEventTypeError

# Event type prefix -> (module, its mapping of event types to payload models).
_MODULE_OF_PREFIX: dict[str, tuple[str, str]] = {
    "user": ("shared.models.events.identity", "IDENTITY_EVENTS"),
    "company": ("shared.models.events.identity", "IDENTITY_EVENTS"),
    "skill": ("shared.models.events.identity", "IDENTITY_EVENTS"),
    "template": ("shared.models.events.interviews", "INTERVIEWS_EVENTS"),
    "invitation": ("shared.models.events.interviews", "INTERVIEWS_EVENTS"),
    "response": ("shared.models.events.interviews", "INTERVIEWS_EVENTS"),
    "candidate": ("shared.models.events.interviews", "INTERVIEWS_EVENTS"),
    "media": ("shared.models.events.media", "MEDIA_EVENTS"),
    "analysis": ("shared.models.events.analysis", "ANALYSIS_EVENTS"),
    "report": ("shared.models.events.reports", "REPORTS_EVENTS"),
}


def _events_of(module: str, name: str) -> dict[str, type[BaseModel]]:
    events: dict[str, type[BaseModel]] = getattr(import_module(module), name)
    return events


def _merge(*contexts: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    merged: dict[str, type[BaseModel]] = {}
    for events in contexts:
        for event_type, model in events.items():
            if event_type in merged:
                raise ValueError(f"event type {event_type} is declared twice")
            merged[event_type] = model
    return dict(sorted(merged.items()))


@cache
def catalogue() -> dict[str, type[BaseModel]]:
    """Every event type and its payload model (imports every context's event module)."""
    return _merge(*(_events_of(*source) for source in dict.fromkeys(_MODULE_OF_PREFIX.values())))


def payload_model(event_type: str) -> type[BaseModel]:
    source = _MODULE_OF_PREFIX.get(event_type.partition(".")[0])
    model = _events_of(*source).get(event_type) if source else None
    if model is None:
        raise UnknownEventTypeError(f"{event_type!r} is not in the event catalogue")
    return model


def __getattr__(name: str) -> dict[str, type[BaseModel]]:
    if name == "CATALOGUE":
        return catalogue()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
