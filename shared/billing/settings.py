"""The billing context's settings, validated once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PlanId = Literal["free", "plus", "pro"]


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")

    # The Stripe secret (per stage ``interview-platform/{stage}/stripe``); None or a secret
    # without keys: the no-billing mode.
    secret_name: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    # The secret is re-read after this long, so new keys count without a redeploy.
    cache_s: Annotated[float, Field(ge=0, le=3600)] = 60.0
    # No-billing mode: every company is on this plan (Pro: a self-hosted or local platform is
    # not held back by the Free plan's limits).
    no_billing_plan: PlanId = "pro"
    # Dunning: how long a company keeps its plan after a failed payment.
    grace_s: Annotated[int, Field(ge=0, le=90 * 86400)] = 7 * 86400
    # Where Checkout and the Portal send the user back (the web app's billing page).
    frontend_origin: Annotated[str, Field(max_length=255)] = "http://localhost:5173"
    return_path: Annotated[str, Field(max_length=100, pattern=r"^/[A-Za-z0-9/_-]*$")] = (
        "/hr/billing"
    )
    stripe_timeout_s: Annotated[float, Field(gt=0, le=60)] = 10.0
    sweep_batch: Annotated[int, Field(ge=1, le=1000)] = 100


@lru_cache(maxsize=1)
def get_billing_settings() -> BillingSettings:
    return BillingSettings()
