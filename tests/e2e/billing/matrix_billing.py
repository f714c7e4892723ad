"""The billing routes' rows of the authorization matrix (the stage runs without Stripe keys
while the matrix runs: checkout, portal and the webhook answer 409 billing-disabled)."""

from __future__ import annotations

from tests.e2e.test_authorization_matrix import Route, _all

BILLING_ROUTES: list[Route] = [
    Route(
        "billing-account",
        "GET",
        lambda c: "v1/billing",
        None,
        _all(403, anonymous=401, hr_a=200, hr_b=200),
    ),
    Route(
        "billing-checkout",
        "POST",
        lambda c: "v1/billing/checkout",
        lambda c: {"plan": "plus"},
        _all(403, anonymous=401, hr_a=409, hr_b=409),
    ),
    Route(
        "billing-portal",
        "POST",
        lambda c: "v1/billing/portal",
        None,
        _all(403, anonymous=401, hr_a=409, hr_b=409),
    ),
    # Public: Stripe's signature is the credential (and without keys nothing is accepted).
    Route(
        "billing-stripe-webhook",
        "POST",
        lambda c: "v1/billing/stripe/webhook",
        lambda c: {"id": "evt_x", "type": "invoice.paid"},
        _all(409),
    ),
]
