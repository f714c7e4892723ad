"""Stripe's keys, read from Secrets Manager, and the one Stripe client per process.

The secret holds ``{"secret_key": "sk_...", "webhook_secret": "whsec_...", "api_base": null |
"http://127.0.0.1:PORT", "prices": {"plus": "price_...", "pro": "price_..."}}``. Without both
keys the platform runs in the no-billing mode (every company on ``BILLING_NO_BILLING_PLAN``).
``api_base`` points the real SDK at the fake Stripe (``fakes/stripe``) in tests. The keys never
reach a log.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from shared.billing.settings import BillingSettings, PlanId, get_billing_settings
from shared.dal.aws import secrets_client

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


class StripeConfigSource:
    """Reads the secret, caches it for ``cache_s`` and builds one client per distinct config."""

    def __init__(
        self,
        settings: BillingSettings,
        *,
        read: Callable[[str], str | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._read = read or _read_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._secret: StripeSecret | None = None
        self._loaded_at = 0.0
        self._client: Any = None
        self._client_for: StripeSecret | None = None

    def secret(self) -> StripeSecret:
        with self._lock:
            stale = self._clock() - self._loaded_at > self._settings.cache_s
            if self._secret is None or stale:
                self._secret = self._load()
                self._loaded_at = self._clock()
            return self._secret

    def client(self) -> stripe.StripeClient | None:
        """The Stripe client, or None in the no-billing mode."""
        secret = self.secret()
        if not secret.enabled:
            return None
        with self._lock:
            if self._client is None or self._client_for != secret:
                import stripe  # noqa: PLC0415 - heavy SDK, only where Stripe is called

                assert secret.secret_key is not None
                self._client = stripe.StripeClient(
                    secret.secret_key.get_secret_value(),
                    base_addresses={"api": secret.api_base} if secret.api_base else None,
                    http_client=stripe.HTTPXClient(
                        timeout=self._settings.stripe_timeout_s, allow_sync_methods=True
                    ),
                    # Our callers own retries (a webhook is retried by Stripe itself).
                    max_network_retries=0,
                )
                self._client_for = secret
            client: stripe.StripeClient = self._client
            return client

    def _load(self) -> StripeSecret:
        name = self._settings.secret_name
        raw = self._read(name) if name else None
        if not raw:
            return StripeSecret()
        return StripeSecret.model_validate(json.loads(raw))


def _read_secret(name: str) -> str | None:
    try:
        value = secrets_client().get_secret_value(SecretId=name).get("SecretString")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    return value


@lru_cache(maxsize=1)
def stripe_source() -> StripeConfigSource:
    return StripeConfigSource(get_billing_settings())
