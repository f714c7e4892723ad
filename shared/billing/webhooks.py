"""Stripe's webhooks: verified with the SDK's signature check, handled once per Stripe event id,
and insensitive to order: every event makes us read the subscription's current state from
Stripe and apply that (``lifecycle.apply_state``), never what the event's own copy said."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.billing import dal, dunning
from shared.billing.config import StripeSecret
from shared.billing.errors import BillingDisabled, StripeRefused
from shared.billing.lifecycle import DUNNING, PAID, apply_state
from shared.billing.models import WebhookReceived
from shared.billing.settings import BillingSettings
from shared.billing.stripe_api import StripeGateway, VerifiedEvent, verify_event
from shared.dal.sql import Conn
from shared.identity import public as identity
from shared.observability import logger

HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


@dataclass(frozen=True, slots=True)
class WebhookDeps:
    transaction: Callable[[], Any]  # a context manager giving a Conn in one transaction
    settings: BillingSettings
    secret: Callable[[], StripeSecret]
    gateway: Callable[[], StripeGateway | None]
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class _Refs:
    company_id: uuid.UUID | None
    subscription_id: str | None
    customer_id: str | None


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _refs(conn: Conn, event: VerifiedEvent) -> _Refs:
    obj = event.object
    customer_id = _id_of(obj.get("customer"))
    company_id: uuid.UUID | None = None
    if event.type.startswith("checkout.session."):
        subscription_id = _id_of(obj.get("subscription"))
        company_id = _uuid(obj.get("client_reference_id"))
    elif event.type.startswith("customer.subscription."):
        subscription_id = _id_of(obj.get("id"))
        company_id = _uuid((obj.get("metadata") or {}).get("company_id"))
    else:  # invoices: the subscription is on the invoice (older API) or under parent
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        subscription_id = _id_of(obj.get("subscription")) or _id_of(details.get("subscription"))
        company_id = _uuid((details.get("metadata") or {}).get("company_id"))
    if company_id is None and customer_id is not None:
        company_id = dal.company_of_customer(conn, customer_id)
    if company_id is not None and identity.company_name(conn, company_id) is None:
        company_id = None  # names no company of ours
    return _Refs(company_id, subscription_id, customer_id)


def handle(payload: bytes, signature: str | None, deps: WebhookDeps) -> WebhookReceived:
    secret = deps.secret()
    if not secret.enabled or secret.webhook_secret is None:
        raise BillingDisabled()
    event = verify_event(payload, signature, secret.webhook_secret.get_secret_value())
    with deps.transaction() as conn:
        refs = _refs(conn, event)
        if not dal.claim_event(conn, event.id, event.type, event.created, refs.company_id):
            logger.info("stripe event already handled", extra={"stripe_event": event.id})
            return WebhookReceived(duplicate=True)
        if event.type in HANDLED and refs.company_id is not None:
            _apply(conn, event, refs, refs.company_id, deps, secret)
        else:
            logger.info(
                "stripe event ignored", extra={"stripe_event": event.id, "type": event.type}
            )
    return WebhookReceived(duplicate=False)


def _apply(  # noqa: PLR0917
    conn: Conn,
    event: VerifiedEvent,
    refs: _Refs,
    company_id: uuid.UUID,
    deps: WebhookDeps,
    secret: StripeSecret,
) -> None:
    row = dal.locked_subscription(conn, company_id)
    if (
        row["stripe_customer_id"]
        and refs.customer_id
        and row["stripe_customer_id"] != (refs.customer_id)
    ):
        logger.warning("stripe event for another customer", extra={"stripe_event": event.id})
        return
    subscription_id = refs.subscription_id or row["stripe_subscription_id"]
    if subscription_id is None:
        return
    gateway = deps.gateway()
    assert gateway is not None  # billing is enabled
    try:
        state = gateway.subscription(subscription_id)  # the current state, not the event's copy
    except StripeRefused:
        logger.warning(
            "stripe event names an unknown subscription", extra={"stripe_event": event.id}
        )
        return
    current = row["stripe_subscription_id"]
    if current and current != state.id and state.status not in PAID:
        # A late event of an ended subscription must not undo the one that replaced it.
        return
    now = deps.now()
    applied = apply_state(
        status=state.status,
        priced_plan=secret.plan_of_price(state.price_id),
        grace_until=row["grace_until"],
        downgraded_at=row["downgraded_at"],
        now=now,
        grace=timedelta(seconds=deps.settings.grace_s),
    )
    dal.store_state(
        conn,
        company_id,
        customer_id=state.customer_id,
        subscription_id=state.id,
        plan_id=applied.plan_id,
        status=state.status,
        current_period_end=state.current_period_end,
        cancel_at_period_end=state.cancel_at_period_end,
        grace_until=applied.grace_until,
        downgraded_at=applied.downgraded_at,
        state_at=max(event.created, row["stripe_state_at"] or event.created),
    )
    if applied.grace_until is not None and state.status in DUNNING:
        dunning.tell_payment_failed(conn, company_id, applied.plan_id, applied.grace_until, deps)
    logger.info(
        "stripe state applied",
        extra={
            "stripe_event": event.id,
            "type": event.type,
            "status": state.status,
            "plan": applied.plan_id,
        },
    )
