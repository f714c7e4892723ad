"""Building events: the only way producers create an envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import BaseModel

from shared.events.catalogue import payload_model
from shared.events.envelope import EventEnvelope
from shared.events.errors import EventContractError


def new_event(
    event_type: str,
    payload: BaseModel,
    *,
    source: str,
    correlation_id: str,
    tenant_id: UUID | None = None,
    causation_id: UUID | None = None,
    version: int = 1,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    """An envelope for ``payload``, which must be the catalogue's model for ``event_type``."""
    expected = payload_model(event_type)
    if not isinstance(payload, expected):
        raise EventContractError(
            f"{event_type} carries {expected.__name__}, not {type(payload).__name__}"
        )
    # Re-validate: a model built with model_construct() or mutated skips its own validation.
    checked = expected.model_validate(payload.model_dump())
    return EventEnvelope(
        event_id=uuid4(),
        event_type=event_type,
        version=version,
        occurred_at=occurred_at or datetime.now(UTC),
        source=source,
        correlation_id=correlation_id,
        causation_id=causation_id,
        tenant_id=tenant_id,
        payload=checked.model_dump(mode="json", by_alias=True),
    )
