"""Benchmark of billing: `make bench-billing` -> bench/results/billing.json.

  quota_check_p95_ms     the quota check at the point of use, in-process against the stage's
                         PostgreSQL (DB_NAME): ``shared.billing.public.reserve`` with billing on
                         (the plan read, the conditional UPDATE of the counter) in its own
                         transaction, RUNS times; target <= 5 ms.
  stripe_webhook_p95_ms  a signed ``invoice.paid`` delivered by the fake Stripe through API
                         Gateway to the deployed webhook function (signature check, the event's
                         id claimed, the subscription read from the fake Stripe through the real
                         SDK, the state stored), WEBHOOKS times after one warm-up.

The stage's Stripe secret points at the bench's fake Stripe while it runs and is emptied after.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import psycopg

from bench._common import percentile, write_result
from fakes.stripe import FakeStripeServer
from scripts import localenv
from scripts.main_job import expect, sign_up_hr
from shared.billing import public as billing
from shared.billing.quota import QuotaDeps
from shared.billing.settings import BillingSettings
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings

RUNS = 500
WEBHOOKS = 40
DEADLINE_S = 30.0


def _write_secret(value: dict[str, Any]) -> None:
    client: Any = localenv.client("secretsmanager")
    name = f"interview-platform/{localenv.STAGE}/stripe"
    try:
        client.put_secret_value(SecretId=name, SecretString=json.dumps(value))
    except client.exceptions.ResourceNotFoundException:
        client.create_secret(Name=name, SecretString=json.dumps(value))


def quota_check_ms(company_id: uuid.UUID) -> list[float]:
    deps = QuotaDeps(BillingSettings(), lambda: True)
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    timings: list[float] = []
    with psycopg.connect(conninfo_for(settings)) as conn:
        for _ in range(RUNS):
            started = time.perf_counter()
            with conn.transaction():
                billing.reserve(conn, company_id, "storage_bytes", 1, deps=deps)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _wait_mode(api: httpx.Client, hr: dict[str, str], mode: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while api.get("v1/billing", headers=hr).json()["mode"] != mode:
        if time.monotonic() > deadline:
            raise SystemExit(f"billing mode never became {mode}")
        time.sleep(0.25)


def webhook_ms(api: httpx.Client, fake: FakeStripeServer, hr: dict[str, str]) -> list[float]:
    checkout = expect(api.post("v1/billing/checkout", json={"plan": "plus"}, headers=hr), 201)
    events = fake.complete_checkout(checkout["session_id"])
    sub_id = events[0]["data"]["object"]["id"]
    timings: list[float] = []
    for i in range(WEBHOOKS + 1):
        event = fake.pay(sub_id, deliver=False)[0]
        started = time.perf_counter()
        delivery = fake.deliver(event)
        elapsed = (time.perf_counter() - started) * 1000
        if delivery.status != 200:
            raise SystemExit(f"webhook answered {delivery.status}: {delivery.body}")
        if i:  # the first is the warm-up
            timings.append(elapsed)
    return timings


def main() -> None:
    outputs = localenv.stack_outputs()
    with (
        httpx.Client(base_url=outputs["ApiUrl"], timeout=60.0) as api,
        FakeStripeServer() as fake,
    ):
        fake.set_webhook(outputs["ApiUrl"].rstrip("/") + "/v1/billing/stripe/webhook")
        hr, company = sign_up_hr(api)
        quota = quota_check_ms(uuid.UUID(company))
        _write_secret(fake.secret_value())
        try:
            _wait_mode(api, hr, "stripe")
            hooks = webhook_ms(api, fake, hr)
        finally:
            _write_secret({})
    write_result(
        "billing",
        {
            "quota_check_p50_ms": percentile(quota, 50),
            "quota_check_p95_ms": percentile(quota, 95),
            "stripe_webhook_p50_ms": percentile(hooks, 50),
            "stripe_webhook_p95_ms": percentile(hooks, 95),
            "quota_checks": len(quota),
            "webhooks": len(hooks),
        },
    )


if __name__ == "__main__":
    main()
