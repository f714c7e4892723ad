"""Payload models of our own events, one module per bounded context."""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from shared.models.base import Model


class EventPayload(Model):
    """Base of every event payload: immutable, no unknown fields, camelCase on the wire."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )
