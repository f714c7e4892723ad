"""The HTTP boundary of webhooks: endpoints, deliveries and their attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from shared.models.base import Model

WebhookEventType = Literal[
    "analysis.completed",
    "analysis.failed",
    "analysis.human_review",
    "candidate.decided",
    "invitation.cancelled",
    "invitation.completed",
    "invitation.created",
    "invitation.expired",
    "invitation.extended",
    "invitation.resent",
    "invitation.started",
]
PING = "webhook.ping"


class EndpointCreate(Model):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    event_types: Annotated[list[WebhookEventType], Field(min_length=1, max_length=20)]


class EndpointUpdate(Model):
    url: Annotated[str, Field(min_length=8, max_length=2000)] | None = None
    event_types: Annotated[list[WebhookEventType], Field(min_length=1, max_length=20)] | None = None
    # true re-enables a disabled endpoint (its failure run starts afresh); false disables it.
    enabled: bool | None = None


class EndpointOut(Model):
    id: uuid.UUID
    url: str
    event_types: list[str]
    status: Literal["active", "disabled"]
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_until: datetime | None
    created_at: datetime


class EndpointWithSecret(EndpointOut):
    """The signing secret (``whsec_`` + base64, Standard Webhooks), shown in this answer only
    (an idempotent replay answers the same endpoint with ``secret`` null)."""

    secret: str | None


class EndpointList(Model):
    items: list[EndpointOut]


class AttemptOut(Model):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None


class DeliveryOut(Model):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime


class DeliveryList(Model):
    items: list[DeliveryOut]


class WebhookMessage(Model):
    """What every delivery's body is (Standard Webhooks' shape): the event's type, when it
    happened, the payload's version, and the payload as the event catalogue documents it."""

    type: str
    timestamp: datetime
    version: int
    data: dict[str, object]
