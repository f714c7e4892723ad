"""POST /v1/billing/checkout (a Stripe Checkout Session to upgrade) and POST /v1/billing/portal
(the Stripe Customer Portal to manage the subscription): the company's owner only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request

from shared.billing import account
from shared.billing.deps import default_account_deps
from shared.billing.models import CheckoutRequest, RedirectOut
from shared.http.app import create_app, lambda_handler_for
from shared.identity.public import HR, caller_transaction

app = create_app("Billing checkout and portal")
deps = default_account_deps()
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "Stripe is unavailable: retry after Retry-After"}
}


@app.post(
    "/v1/billing/checkout",
    status_code=201,
    response_model=RedirectOut,
    tags=["billing"],
    responses=_UNAVAILABLE,
)
def create_checkout(
    body: CheckoutRequest,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> RedirectOut:
    with caller_transaction(request, HR) as (conn, caller):
        return account.checkout(conn, caller, body, deps, idempotency_key)


@app.post(
    "/v1/billing/portal",
    status_code=201,
    response_model=RedirectOut,
    tags=["billing"],
    responses=_UNAVAILABLE,
)
def create_portal(request: Request) -> RedirectOut:
    with caller_transaction(request, HR) as (conn, caller):
        return account.portal(conn, caller, deps)


handler = lambda_handler_for(app)
