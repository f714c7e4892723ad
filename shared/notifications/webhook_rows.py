"""Row models of the webhook tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from shared.models.base import Model


class EndpointRow(Model):
    id: uuid.UUID
    company_id: uuid.UUID
    created_by: uuid.UUID
    url: str
    event_types: list[str]
    secret_sealed: bytes
    previous_sealed: bytes | None
    previous_until: datetime | None
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class DeliveryRow(Model):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    company_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    body: dict[str, Any]
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime


class AttemptRow(Model):
    id: int
    delivery_id: uuid.UUID
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None
