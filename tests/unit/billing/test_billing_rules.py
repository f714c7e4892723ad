"""Billing's pure parts: what Stripe's state means for the plan, Stripe's signature check (the
SDK's) on what the fake signs, the 402 problem's members, and the fake's form decoding."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fakes.stripe.server import _nested, sign_payload
from shared.billing.errors import InvalidWebhook, QuotaExceeded
from shared.billing.lifecycle import apply_state
from shared.billing.stripe_api import subscription_state, verify_event
from shared.http.problems import install_problem_handlers

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
GRACE = timedelta(days=7)
SECRET = "whsec_unit_test_secret"


@pytest.mark.parametrize(
    ("status", "grace", "downgraded", "plan", "grace_after", "opened"),
    [
        ("active", None, None, "plus", None, False),
        ("trialing", None, None, "plus", None, False),
        ("active", NOW, NOW, "plus", None, False),  # paid again: grace and downgrade are over
        ("past_due", None, None, "plus", NOW + GRACE, True),
        ("past_due", NOW, None, "plus", NOW, False),  # the open grace period is kept
        ("unpaid", None, NOW, "free", None, False),  # after the sweep: Free until paid
        ("canceled", None, None, "free", None, False),
        ("incomplete", None, None, "free", None, False),
    ],
)
def test_stripe_status_decides_the_plan(  # noqa: PLR0917 - the table's columns
    status: str,
    grace: datetime | None,
    downgraded: datetime | None,
    plan: str,
    grace_after: datetime | None,
    opened: bool,
) -> None:
    applied = apply_state(
        status=status,
        priced_plan="plus",
        grace_until=grace,
        downgraded_at=downgraded,
        now=NOW,
        grace=GRACE,
    )
    assert (applied.plan_id, applied.grace_until, applied.grace_opened) == (
        plan,
        grace_after,
        opened,
    )


def test_an_unknown_price_is_free() -> None:
    applied = apply_state(
        status="active",
        priced_plan=None,
        grace_until=None,
        downgraded_at=None,
        now=NOW,
        grace=GRACE,
    )
    assert applied.plan_id == "free"


def _event() -> bytes:
    return json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "invoice.paid",
            "created": int(time.time()),
            "data": {"object": {"id": "in_1", "customer": "cus_1"}},
        }
    ).encode()


def test_a_signature_made_as_stripe_makes_it_verifies() -> None:
    payload = _event()
    event = verify_event(payload, sign_payload(payload, SECRET), SECRET)
    assert (event.id, event.type, event.object["customer"]) == ("evt_1", "invoice.paid", "cus_1")


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1,v1=00",
        "garbage",
    ],
)
def test_missing_or_malformed_signatures_are_refused(signature: str | None) -> None:
    with pytest.raises(InvalidWebhook):
        verify_event(_event(), signature, SECRET)


def test_another_secret_a_changed_body_or_an_old_timestamp_is_refused() -> None:
    payload = _event()
    with pytest.raises(InvalidWebhook):
        verify_event(payload, sign_payload(payload, "whsec_other"), SECRET)
    with pytest.raises(InvalidWebhook):
        verify_event(payload + b" ", sign_payload(payload, SECRET), SECRET)
    with pytest.raises(InvalidWebhook):
        verify_event(payload, sign_payload(payload, SECRET, int(time.time()) - 301), SECRET)
    # Within the 300 s tolerance it still verifies.
    verify_event(payload, sign_payload(payload, SECRET, int(time.time()) - 200), SECRET)


def test_a_quota_problem_is_402_problem_json_with_limit_usage_and_upgrade() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.frontend_origin = "http://app.example"

    @app.get("/x")
    def refuse() -> None:
        raise QuotaExceeded(
            metric="hr_seats",
            plan="free",
            limit=1,
            used=1,
            requested=1,
            upgrade_plans=["plus", "pro"],
            billing_enabled=True,
            upgrade_url="http://app.example/hr/billing",
        )

    response = TestClient(app).get("/x")
    assert response.status_code == 402
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/quota-exceeded")
    assert body["status"] == 402
    assert body["limit"] == {"name": "hr_seats", "allowed": 1, "plan": "free"}
    assert body["usage"] == {"used": 1, "requested": 1}
    assert body["upgrade"]["plans"] == ["plus", "pro"]
    assert "Upgrade to plus or pro" in body["detail"]


def test_the_fake_decodes_stripe_form_encoding() -> None:
    decoded = _nested(
        [
            ("mode", "subscription"),
            ("line_items[0][price]", "price_1"),
            ("line_items[0][quantity]", "1"),
            ("subscription_data[metadata][company_id]", "c1"),
        ]
    )
    assert decoded == {
        "mode": "subscription",
        "line_items": [{"price": "price_1", "quantity": "1"}],
        "subscription_data": {"metadata": {"company_id": "c1"}},
    }


def test_subscription_period_is_read_from_the_item_in_new_api_versions() -> None:
    state = subscription_state(
        {
            "id": "sub_1",
            "customer": "cus_1",
            "status": "active",
            "items": {"data": [{"price": {"id": "price_1"}, "current_period_end": 1_800_000_000}]},
            "metadata": {"company_id": "c1"},
        }
    )
    assert state.price_id == "price_1"
    assert state.current_period_end == datetime.fromtimestamp(1_800_000_000, UTC)
