"""The billing context's exceptions (the HTTP edge maps each to problem+json)."""

from __future__ import annotations

from shared.errors import ConflictError, DependencyUnavailable, DomainError, PaymentRequiredError


class QuotaExceeded(PaymentRequiredError):
    """402: the plan's limit is reached. Names the limit, what is used, and how to upgrade."""

    type_slug = "quota-exceeded"
    title = "Plan limit reached"

    def __init__(
        self,
        *,
        metric: str,
        plan: str,
        limit: int,
        used: int,
        requested: int,
        upgrade_plans: list[str],
        billing_enabled: bool,
        upgrade_url: str,
    ) -> None:
        super().__init__(
            f"The {plan} plan allows {limit} of {metric}; {used} are used and {requested} more"
            " were asked for."
            + (
                f" Upgrade to {' or '.join(upgrade_plans)}: POST /v1/billing/checkout."
                if upgrade_plans and billing_enabled
                else ""
            )
        )
        self.metric = metric
        self.plan = plan
        self.limit = limit
        self.used = used
        self.requested = requested
        self.upgrade_plans = upgrade_plans
        self.billing_enabled = billing_enabled
        self.upgrade_url = upgrade_url

    def extensions(self) -> dict[str, object]:
        return {
            "limit": {"name": self.metric, "allowed": self.limit, "plan": self.plan},
            "usage": {"used": self.used, "requested": self.requested},
            "upgrade": {
                "plans": self.upgrade_plans,
                "billing_enabled": self.billing_enabled,
                "checkout": "/v1/billing/checkout" if self.billing_enabled else None,
                "url": self.upgrade_url,
            },
        }


class BillingDisabled(ConflictError):
    type_slug = "billing-disabled"
    title = "Billing is not enabled"

    def __init__(self) -> None:
        super().__init__(
            "This platform runs without billing (no Stripe keys): every company is on the"
            " configured plan."
        )


class InvalidWebhook(DomainError):
    """A Stripe webhook whose signature, timestamp or body does not verify."""

    status = 400
    title = "Invalid webhook"
    type_slug = "invalid-webhook"


class StripeUnavailable(DependencyUnavailable):
    """Stripe did not answer (or answered 5xx/429): retry shortly."""

    retry_after_s = 10

    def __init__(self, detail: str = "Stripe is unavailable; retry shortly.") -> None:
        super().__init__(detail)


class StripeRefused(ConflictError):
    """Stripe refused the request (an unknown object, a bad price): nothing changed."""

    type_slug = "stripe-refused"
    title = "Stripe refused the request"
