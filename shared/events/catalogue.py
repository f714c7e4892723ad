"""The catalogue: every event type the platform emits, and the model of its payload.

Each bounded context lists its events in ``shared/models/events/<context>.py``; adding an event
type means adding it there (and regenerating ``events/schemas`` with ``make event-schemas``).
"""

from __future__ import annotations

from pydantic import BaseModel

from shared.events.errors import UnknownEventTypeError
from shared.models.events.analysis import ANALYSIS_EVENTS
from shared.models.events.identity import IDENTITY_EVENTS
from shared.models.events.interviews import INTERVIEWS_EVENTS
from shared.models.events.media import MEDIA_EVENTS


def _merge(*contexts: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    merged: dict[str, type[BaseModel]] = {}
    for events in contexts:
        for event_type, model in events.items():
            if event_type in merged:
                raise ValueError(f"event type {event_type} is declared twice")
            merged[event_type] = model
    return dict(sorted(merged.items()))


CATALOGUE: dict[str, type[BaseModel]] = _merge(
    IDENTITY_EVENTS, INTERVIEWS_EVENTS, MEDIA_EVENTS, ANALYSIS_EVENTS
)


def payload_model(event_type: str) -> type[BaseModel]:
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise UnknownEventTypeError(f"{event_type!r} is not in the event catalogue") from None
