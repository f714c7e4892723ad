"""Stripe's keys, read from Secrets Manager, and the one Stripe client per process.

The secret holds ``{"secret_key": "sk_...", "webhook_secret": "whsec_...", "api_base": null |
"http://127.0.0.1:PORT", "prices": {"plus": "price_...", "pro": "price_..."}}``. Without both
keys the platform runs in the no-billing mode (every company on ``BILLING_NO_BILLING_PLAN``).
``api_base`` points the real SDK at the fake Stripe (``fakes/stripe``) in tests. The keys never
reach a log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from shared.billing.settings import BillingSettings, PlanId, get_billing_settings
from shared.dal.secrets import CachedSecretSource

if TYPE_CHECKING:
    import stripe


class StripeSecret(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    secret_key: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    api_base: Annotated[str, Field(max_length=512)] | None = None
    prices: dict[PlanId, Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        default_factory=dict
    )

    @property
    def enabled(self) -> bool:
        return bool(
            self.secret_key
            and self.secret_key.get_secret_value()
            and self.webhook_secret
            and self.webhook_secret.get_secret_value()
        )

    def plan_of_price(self, price_id: str | None) -> PlanId | None:
        for plan, price in self.prices.items():
            if price == price_id:
                return plan
        return None

    def __hash__(self) -> int:  # frozen with a dict field: hash what identifies the config
        return hash((self.secret_key, self.api_base, tuple(sorted(self.prices.items()))))


class StripeConfigSource(CachedSecretSource[StripeSecret, "stripe.StripeClient"]):
    """Stripe's secret (cached for ``cache_s``) and one client per distinct config; no client
    in the no-billing mode."""

    def __init__(
        self,
        settings: BillingSettings,
        *,
        read: Callable[[str], str | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(settings.secret_name, settings.cache_s, read=read, clock=clock)
        self._settings = settings

    def _parse(self, document: dict[str, object] | None) -> StripeSecret:
        return StripeSecret.model_validate(document) if document else StripeSecret()

    def _enabled(self, secret: StripeSecret) -> bool:
        return secret.enabled

    def _build(self, secret: StripeSecret) -> stripe.StripeClient:
        import stripe  # noqa: PLC0415 - heavy SDK, only where Stripe is called

        assert secret.secret_key is not None
        return stripe.StripeClient(
            secret.secret_key.get_secret_value(),
            base_addresses={"api": secret.api_base} if secret.api_base else None,
            http_client=stripe.HTTPXClient(
                timeout=self._settings.stripe_timeout_s, allow_sync_methods=True
            ),
            # Our callers own retries (a webhook is retried by Stripe itself).
            max_network_retries=0,
        )


@lru_cache(maxsize=1)
def stripe_source() -> StripeConfigSource:
    return StripeConfigSource(get_billing_settings())
