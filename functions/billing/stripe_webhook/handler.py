"""POST /v1/billing/stripe/webhook: Stripe's events, verified by their Stripe-Signature (no
bearer token: the signature is the credential)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request

from shared.billing import webhooks
from shared.billing.deps import default_webhook_deps
from shared.billing.models import WebhookReceived
from shared.http.app import PUBLIC, create_app, lambda_handler_for

app = create_app("Stripe webhooks")
deps = default_webhook_deps()
_MAX_BODY = 512 * 1024


@app.post(
    "/v1/billing/stripe/webhook",
    response_model=WebhookReceived,
    tags=["billing"],
    openapi_extra=PUBLIC,
    responses={
        400: {"description": "The signature does not verify, is too old, or the body is bad"},
        409: {"description": "Billing is not enabled on this platform"},
        503: {"description": "Stripe or the database is unavailable: Stripe retries"},
    },
)
async def stripe_webhook(
    request: Request,
    stripe_signature: Annotated[str | None, Header(max_length=2048)] = None,
) -> WebhookReceived:
    payload = (await request.body())[: _MAX_BODY + 1]
    if len(payload) > _MAX_BODY:
        from shared.billing.errors import InvalidWebhook  # noqa: PLC0415

        raise InvalidWebhook("The body is larger than a Stripe event.")
    return webhooks.handle(payload, stripe_signature, deps)


handler = lambda_handler_for(app)
