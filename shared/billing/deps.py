"""The context's dependencies, built once per process, on first use."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from shared.billing.quota import QuotaDeps
from shared.billing.settings import get_billing_settings

if TYPE_CHECKING:
    from shared.billing.account import AccountDeps
    from shared.billing.config import StripeSecret
    from shared.billing.dunning import SweepDeps
    from shared.billing.stripe_api import StripeGateway
    from shared.billing.webhooks import WebhookDeps


def _billing_enabled() -> bool:
    from shared.billing.config import stripe_source  # noqa: PLC0415

    return stripe_source().secret().enabled


@lru_cache(maxsize=1)
def default_quota_deps() -> QuotaDeps:
    return QuotaDeps(settings=get_billing_settings(), billing_enabled=_billing_enabled)


def _gateway() -> StripeGateway | None:
    from shared.billing.config import stripe_source  # noqa: PLC0415
    from shared.billing.stripe_api import SdkGateway  # noqa: PLC0415

    client = stripe_source().client()
    return SdkGateway(client) if client is not None else None


def _secret() -> StripeSecret:
    from shared.billing.config import stripe_source  # noqa: PLC0415

    return stripe_source().secret()


@lru_cache(maxsize=1)
def default_account_deps() -> AccountDeps:
    from shared.billing.account import AccountDeps  # noqa: PLC0415

    return AccountDeps(settings=get_billing_settings(), secret=_secret, gateway=_gateway)


@lru_cache(maxsize=1)
def default_webhook_deps() -> WebhookDeps:
    from shared.billing.webhooks import WebhookDeps  # noqa: PLC0415
    from shared.dal.db import transaction  # noqa: PLC0415

    return WebhookDeps(
        transaction=transaction, settings=get_billing_settings(), secret=_secret, gateway=_gateway
    )


@lru_cache(maxsize=1)
def default_sweep_deps() -> SweepDeps:
    from shared.billing.dunning import SweepDeps  # noqa: PLC0415
    from shared.dal.db import transaction  # noqa: PLC0415

    return SweepDeps(transaction=transaction, settings=get_billing_settings())
