"""The billing e2e tests: the stage's Stripe secret points at a fake Stripe on loopback (the
real ``stripe`` SDK in the deployed functions speaks to it), whose webhooks go through API
Gateway; the secret is emptied again afterwards (the stage's no-billing mode)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fakes.stripe import FakeStripeServer
from scripts import localenv
from tests.e2e.identity_actors import Actor, make_hr_with_company
from tests.e2e.notifications.support import wait_for


def stripe_secret_name() -> str:
    return f"interview-platform/{localenv.STAGE}/stripe"


def write_stripe_secret(value: dict[str, Any]) -> None:
    client: Any = localenv.client("secretsmanager")
    name = stripe_secret_name()
    try:
        client.put_secret_value(SecretId=name, SecretString=json.dumps(value))
    except client.exceptions.ResourceNotFoundException:
        client.create_secret(Name=name, SecretString=json.dumps(value))


def _mode_is(api: httpx.Client, hr: Actor, mode: str) -> bool:
    response = api.get("v1/billing", headers=hr.headers())
    return response.status_code == 200 and response.json()["mode"] == mode


@pytest.fixture(scope="module")
def fake_stripe(api: httpx.Client, outputs: dict[str, str]) -> Iterator[FakeStripeServer]:
    probe = make_hr_with_company(api, "billing-probe")
    with FakeStripeServer() as server:
        server.set_webhook(outputs["ApiUrl"].rstrip("/") + "/v1/billing/stripe/webhook")
        write_stripe_secret(server.secret_value())
        # Every function re-reads the secret within a second (BILLING_CACHE_S locally).
        wait_for(lambda: _mode_is(api, probe, "stripe"), 30, "billing to be on")
        try:
            yield server
        finally:
            write_stripe_secret({})
            wait_for(lambda: _mode_is(api, probe, "no_billing"), 30, "billing to be off")
