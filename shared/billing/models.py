"""The billing routes' requests and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.billing.plans import Metric


class PlanOut(BaseModel):
    id: str
    name: str
    limits: dict[Metric, int | None] = Field(description="null: unlimited")
    retention_days: int


class UsageOut(BaseModel):
    metric: Metric
    used: int
    limit: int | None = Field(description="null: unlimited")
    period: str = Field(description="The month (YYYY-MM) of a monthly counter, '' for a gauge")


class SubscriptionOut(BaseModel):
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    grace_until: datetime | None = Field(
        description="A failed payment's grace period: the plan drops to Free after it"
    )
    downgraded_at: datetime | None


class BillingAccount(BaseModel):
    mode: Literal["stripe", "no_billing"] = Field(
        description="no_billing: no Stripe keys; every company is on the configured plan"
    )
    plan: PlanOut
    usage: list[UsageOut]
    subscription: SubscriptionOut | None
    plans: list[PlanOut]


class CheckoutRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Literal["plus", "pro"]


class RedirectOut(BaseModel):
    url: str = Field(description="Where to send the browser (Stripe's hosted page)")
    session_id: str


class WebhookReceived(BaseModel):
    received: bool = True
    duplicate: bool = Field(description="The event id was handled before: nothing changed")
