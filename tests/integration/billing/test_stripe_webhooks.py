"""Stripe's webhooks handled in-process against a real PostgreSQL, the real ``stripe`` SDK and
the fake Stripe: an upgrade lifts the limit; forged, expired and replayed deliveries change
nothing; duplicates and any order converge to the same state; a failed payment opens a grace
period, the sweep drops the company to Free after it, and the owner is emailed both times."""

# ruff: noqa: PLR0917 - pytest passes fixtures by name
from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from fakes.stripe import FakeStripeServer, sign_payload
from shared.billing import account, dal, dunning, webhooks
from shared.billing.account import AccountDeps
from shared.billing.config import StripeSecret
from shared.billing.errors import InvalidWebhook, QuotaExceeded
from shared.billing.models import CheckoutRequest
from shared.billing.quota import QuotaDeps, reserve
from shared.billing.settings import BillingSettings
from shared.billing.stripe_api import StripeGateway
from shared.billing.webhooks import WebhookDeps
from tests.integration.billing.conftest import Clock, make_company, transaction_of


class _Caller:
    """The part of identity's Caller billing reads."""

    def __init__(self, user_id: uuid.UUID, company_id: uuid.UUID, email: str) -> None:
        self.id = user_id
        self.user = type("U", (), {"company_id": company_id, "email": email})()


def _deliver(event: dict[str, Any], fake: FakeStripeServer, deps: WebhookDeps) -> bool:
    payload, signature = fake.signed(event)
    return webhooks.handle(payload, signature, deps).duplicate


def _checkout(
    pool: ConnectionPool,
    fake: FakeStripeServer,
    secret: StripeSecret,
    gateway: StripeGateway,
    settings: BillingSettings,
    plan: str = "plus",
) -> tuple[uuid.UUID, str, list[dict[str, Any]]]:
    company, owner, email = make_company(pool)
    deps = AccountDeps(settings=settings, secret=lambda: secret, gateway=lambda: gateway)
    with pool.connection() as conn:
        session = account.checkout(
            conn,
            _Caller(owner, company, email),  # type: ignore[arg-type]
            CheckoutRequest.model_validate({"plan": plan}),
            deps,
            "key-1",
        )
    assert session.url.startswith(fake.base_url)
    events = fake.complete_checkout(session.session_id, deliver=False)
    return company, str(events[0]["data"]["object"]["id"]), events


def _state(pool: ConnectionPool, company: uuid.UUID) -> dict[str, Any]:
    with pool.connection() as conn:
        row = dal.subscription(conn, company)
    assert row is not None
    return {k: row[k] for k in ("plan_id", "status", "grace_until", "downgraded_at")}


def _mails(pool: ConnectionPool, kind: str) -> list[tuple[Any, ...]]:
    with pool.connection() as conn:
        return conn.execute(
            "SELECT recipient::text, params FROM notifications.messages WHERE kind = %s", (kind,)
        ).fetchall()


def test_upgrade_through_checkout_and_a_signed_webhook_lifts_the_limit(
    pool: ConnectionPool,
    fake_stripe: FakeStripeServer,
    stripe_secret: StripeSecret,
    gateway: StripeGateway,
    settings: BillingSettings,
    webhook_deps: WebhookDeps,
    quota_on: QuotaDeps,
) -> None:
    # Given a Free company at its limit of active templates
    company, _, events = _checkout(pool, fake_stripe, stripe_secret, gateway, settings)
    with pool.connection() as conn:
        reserve(conn, company, "active_templates", quota_on)
        reserve(conn, company, "active_templates", quota_on)
        with pytest.raises(QuotaExceeded):
            reserve(conn, company, "active_templates", quota_on)

    # When Stripe tells us the checkout completed (only that event)
    assert _deliver(events[-1], fake_stripe, webhook_deps) is False

    # Then the company is on Plus and the third template fits
    assert _state(pool, company)["plan_id"] == "plus"
    with pool.connection() as conn:
        assert reserve(conn, company, "active_templates", quota_on) == 3


def test_forged_expired_and_replayed_webhooks_are_refused_or_ignored(
    pool: ConnectionPool,
    fake_stripe: FakeStripeServer,
    stripe_secret: StripeSecret,
    gateway: StripeGateway,
    settings: BillingSettings,
    webhook_deps: WebhookDeps,
) -> None:
    company, _, events = _checkout(pool, fake_stripe, stripe_secret, gateway, settings)
    completed = events[-1]
    payload = json.dumps(completed).encode()

    # Forged: signed with another secret, or the body changed after signing
    with pytest.raises(InvalidWebhook):
        webhooks.handle(payload, sign_payload(payload, "whsec_not_ours"), webhook_deps)
    _, good = fake_stripe.signed(completed)
    with pytest.raises(InvalidWebhook):
        webhooks.handle(payload.replace(b"plus", b"pro!"), good, webhook_deps)
    with pytest.raises(InvalidWebhook):
        webhooks.handle(payload, None, webhook_deps)
    # Expired: a correct signature older than 300 s
    old = sign_payload(payload, fake_stripe.webhook_secret, int(time.time()) - 301)
    with pytest.raises(InvalidWebhook):
        webhooks.handle(payload, old, webhook_deps)
    assert _state_or_none(pool, company) in (None, "free")

    # Replayed: the genuine delivery works once; the same event again changes nothing
    assert _deliver(completed, fake_stripe, webhook_deps) is False
    fake_stripe.cancel(_state_sub(pool, company), deliver=False)
    assert _deliver(completed, fake_stripe, webhook_deps) is True
    assert _state(pool, company)["plan_id"] == "plus"  # the replay did not re-read Stripe


def _state_or_none(pool: ConnectionPool, company: uuid.UUID) -> str | None:
    with pool.connection() as conn:
        row = dal.subscription(conn, company)
    return None if row is None else str(row["plan_id"])


def _state_sub(pool: ConnectionPool, company: uuid.UUID) -> str:
    with pool.connection() as conn:
        row = dal.subscription(conn, company)
    assert row is not None
    return str(row["stripe_subscription_id"])


@pytest.mark.parametrize("order", ["in_order", "reversed", "duplicated_and_shuffled"])
def test_duplicate_and_out_of_order_events_converge_to_the_same_state(
    order: str,
    pool: ConnectionPool,
    fake_stripe: FakeStripeServer,
    stripe_secret: StripeSecret,
    gateway: StripeGateway,
    settings: BillingSettings,
    webhook_deps: WebhookDeps,
) -> None:
    # Given a subscription that was created, paid, then upgraded to Pro (all events kept back)
    company, sub_id, events = _checkout(pool, fake_stripe, stripe_secret, gateway, settings)
    gateway_sub = fake_stripe.api(
        "POST", f"/v1/subscriptions/{sub_id}", {"items": [{"price": fake_stripe.prices["pro"]}]}
    )
    assert gateway_sub["items"]["data"][0]["price"]["id"] == fake_stripe.prices["pro"]
    every = [*events, fake_stripe.events[-1]]
    if order == "reversed":
        every = every[::-1]
    elif order == "duplicated_and_shuffled":
        every = [every[2], every[0], every[3], every[0], every[1], every[3], every[2]]

    # When they arrive in that order
    duplicates = [_deliver(e, fake_stripe, webhook_deps) for e in every]

    # Then every order ends on Pro, active, each event applied once
    assert _state(pool, company) == {
        "plan_id": "pro",
        "status": "active",
        "grace_until": None,
        "downgraded_at": None,
    }
    assert duplicates.count(False) == 4


def test_a_failed_payment_opens_a_grace_period_then_the_sweep_drops_to_free(
    pool: ConnectionPool,
    fake_stripe: FakeStripeServer,
    stripe_secret: StripeSecret,
    gateway: StripeGateway,
    settings: BillingSettings,
    webhook_deps: WebhookDeps,
    quota_on: QuotaDeps,
    clock: Clock,
) -> None:
    # Given a company on Plus with 3 active templates
    company, sub_id, events = _checkout(pool, fake_stripe, stripe_secret, gateway, settings)
    for event in events:
        _deliver(event, fake_stripe, webhook_deps)
    with pool.connection() as conn:
        for _ in range(3):
            reserve(conn, company, "active_templates", quota_on)

    # When the renewal's payment fails
    for event in fake_stripe.fail_payment(sub_id, deliver=False):
        _deliver(event, fake_stripe, webhook_deps)

    # Then the plan holds for the grace period, and the owner is told once
    state = _state(pool, company)
    assert state["plan_id"] == "plus"
    assert state["status"] == "past_due"
    assert state["grace_until"] == clock.at + timedelta(seconds=settings.grace_s)
    assert len(_mails(pool, "payment_failed")) == 1
    sweep = dunning.SweepDeps(transaction=transaction_of(pool), settings=settings, now=clock)
    assert dunning.sweep(sweep) == {"downgraded": 0}  # not yet

    # When the grace period is over and the sweep runs (twice: it is idempotent)
    clock.at += timedelta(seconds=settings.grace_s + 1)
    assert dunning.sweep(sweep) == {"downgraded": 1}
    assert dunning.sweep(sweep) == {"downgraded": 0}

    # Then the company is on Free (a late subscription.updated does not undo it), and emailed
    late = fake_stripe.api("POST", f"/v1/subscriptions/{sub_id}", {"cancel_at_period_end": "false"})
    assert late["status"] == "past_due"
    _deliver(fake_stripe.events[-1], fake_stripe, webhook_deps)
    assert _state(pool, company)["plan_id"] == "free"
    assert [m[1]["plan"] for m in _mails(pool, "plan_downgraded")] == ["Plus"]  # its name
    with pool.connection() as conn, pytest.raises(QuotaExceeded):
        reserve(conn, company, "interviews_per_month", quota_on, amount=11)

    # When the customer pays after all, the plan comes back
    for event in fake_stripe.pay(sub_id, deliver=False):
        _deliver(event, fake_stripe, webhook_deps)
    assert _state(pool, company)["plan_id"] == "plus"
    assert _state(pool, company)["downgraded_at"] is None


def test_a_deleted_subscription_drops_to_free(
    pool: ConnectionPool,
    fake_stripe: FakeStripeServer,
    stripe_secret: StripeSecret,
    gateway: StripeGateway,
    settings: BillingSettings,
    webhook_deps: WebhookDeps,
) -> None:
    company, sub_id, events = _checkout(pool, fake_stripe, stripe_secret, gateway, settings)
    _deliver(events[-1], fake_stripe, webhook_deps)
    fake_stripe.cancel(sub_id, deliver=False)
    _deliver(fake_stripe.events[-1], fake_stripe, webhook_deps)
    assert _state(pool, company)["plan_id"] == "free"
    assert _state(pool, company)["status"] == "canceled"


def test_an_event_for_no_company_of_ours_is_acknowledged_and_ignored(
    pool: ConnectionPool, fake_stripe: FakeStripeServer, webhook_deps: WebhookDeps
) -> None:
    event = {
        "id": "evt_unknown_1",
        "object": "event",
        "type": "customer.subscription.updated",
        "created": int(time.time()),
        "data": {"object": {"id": "sub_x", "customer": "cus_x", "metadata": {}}},
    }
    assert _deliver(event, fake_stripe, webhook_deps) is False
    assert _deliver(event, fake_stripe, webhook_deps) is True
