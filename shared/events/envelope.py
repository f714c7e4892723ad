"""The one envelope every event of the platform travels in (EventBridge ``detail``).

On the wire it is camelCase JSON: ``eventId, eventType, version, occurredAt, source,
correlationId, causationId?, tenantId?, payload``; absent optional ids are left out, not null.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pydantic.alias_generators import to_camel

# "context.action": lower-case words, one dot (user.registered, company.member_added).
EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,59}$"
_OPTIONAL_IDS = ("causationId", "tenantId")

EventType = Annotated[str, Field(pattern=EVENT_TYPE_PATTERN, max_length=100)]


class EventEnvelope(BaseModel):
    """An event as producers publish it and consumers receive it. Immutable."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        title="EventEnvelope",
    )

    event_id: UUID
    event_type: EventType
    version: Annotated[int, Field(ge=1, le=1000)]
    occurred_at: AwareDatetime
    source: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[a-z0-9.-]+$")]
    correlation_id: Annotated[str, Field(min_length=1, max_length=128)]
    causation_id: UUID | None = None
    tenant_id: UUID | None = None
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_serializer(mode="wrap")
    def _omit_absent_ids(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in (*_OPTIONAL_IDS, "causation_id", "tenant_id"):
            if key in data and data[key] is None:
                del data[key]
        return data

    def to_detail(self) -> dict[str, Any]:
        """The envelope as JSON-ready camelCase data (what EventBridge carries as ``detail``)."""
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self) -> str:
        return json.dumps(self.to_detail(), separators=(",", ":"))
