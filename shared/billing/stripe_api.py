"""Stripe behind a small interface: the calls billing makes, the SDK's errors translated.

``StripeGateway`` is what the use cases take; ``SdkGateway`` is the real one (the ``stripe``
SDK, pointed by the secret's ``api_base`` at the fake Stripe in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.billing.errors import InvalidWebhook, StripeRefused, StripeUnavailable
from shared.observability import logger

if TYPE_CHECKING:
    import stripe

# Stripe's own tolerance for a signature's timestamp.
SIGNATURE_TOLERANCE_S = 300


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    """A subscription as Stripe holds it now."""

    id: str
    customer_id: str
    status: str
    price_id: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    company_id: str | None  # metadata.company_id


@dataclass(frozen=True, slots=True)
class VerifiedEvent:
    id: str
    type: str
    created: datetime
    object: dict[str, Any]


class StripeGateway(Protocol):
    def create_customer(self, company_id: str, name: str, email: str) -> str: ...

    def create_checkout(
        self,
        *,
        customer_id: str,
        price_id: str,
        company_id: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> tuple[str, str]: ...

    def create_portal(self, customer_id: str, return_url: str) -> tuple[str, str]: ...

    def subscription(self, subscription_id: str) -> SubscriptionState: ...


def verify_event(payload: bytes, signature: str | None, secret: str) -> VerifiedEvent:
    """Stripe's signature check (the SDK's, 300 s tolerance): forged, expired or malformed
    deliveries are :class:`InvalidWebhook`."""
    import stripe  # noqa: PLC0415

    if not signature:
        raise InvalidWebhook("The Stripe-Signature header is missing.")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_S
        )
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook("The Stripe signature does not verify (or is too old).") from exc
    except ValueError as exc:
        raise InvalidWebhook("The body is not a Stripe event.") from exc
    data = event.to_dict()
    try:
        return VerifiedEvent(
            id=str(data["id"]),
            type=str(data["type"]),
            created=datetime.fromtimestamp(int(data["created"]), UTC),
            object=dict(data["data"]["object"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidWebhook("The event lacks id, type, created or data.object.") from exc


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def subscription_state(data: dict[str, Any]) -> SubscriptionState:
    items = (data.get("items") or {}).get("data") or []
    first = items[0] if items else {}
    price = first.get("price") or {}
    # Newer API versions keep the period on the item; older ones on the subscription.
    period_end = data.get("current_period_end") or first.get("current_period_end")
    customer = data.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return SubscriptionState(
        id=str(data["id"]),
        customer_id=str(customer),
        status=str(data["status"]),
        price_id=price.get("id") if isinstance(price, dict) else str(price),
        current_period_end=_ts(period_end),
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        company_id=(data.get("metadata") or {}).get("company_id"),
    )


class SdkGateway:
    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        import stripe  # noqa: PLC0415

        try:
            return fn(*args, **kwargs)
        except stripe.InvalidRequestError as exc:
            raise StripeRefused(f"Stripe refused the request ({exc.code or 'invalid'}).") from exc
        except stripe.AuthenticationError as exc:
            logger.error("stripe refused our key: check the Stripe secret")
            raise StripeUnavailable() from exc
        except stripe.StripeError as exc:  # connection, rate limit, Stripe's 5xx
            raise StripeUnavailable() from exc

    def create_customer(self, company_id: str, name: str, email: str) -> str:
        customer = self._call(
            self._client.v1.customers.create,
            params={"name": name, "email": email, "metadata": {"company_id": company_id}},
            options={"idempotency_key": f"customer-{company_id}"},
        )
        return str(customer.id)

    def create_checkout(
        self,
        *,
        customer_id: str,
        price_id: str,
        company_id: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> tuple[str, str]:
        session = self._call(
            self._client.v1.checkout.sessions.create,
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": company_id,
                "line_items": [{"price": price_id, "quantity": 1}],
                "subscription_data": {"metadata": {"company_id": company_id}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": idempotency_key},
        )
        return str(session.id), str(session.url)

    def create_portal(self, customer_id: str, return_url: str) -> tuple[str, str]:
        session = self._call(
            self._client.v1.billing_portal.sessions.create,
            params={"customer": customer_id, "return_url": return_url},
        )
        return str(session.id), str(session.url)

    def subscription(self, subscription_id: str) -> SubscriptionState:
        sub = self._call(self._client.v1.subscriptions.retrieve, subscription_id)
        return subscription_state(sub.to_dict())
