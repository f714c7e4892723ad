"""Billing end to end: HTTP through API Gateway to the deployed functions, the real ``stripe``
SDK in them talking to the fake Stripe, and Stripe's signed webhooks posted through API
Gateway. Upgrade lifts the limit; forged, expired and replayed webhooks are refused or change
nothing; a failed payment opens a grace period, the sweep drops the company to Free, and the
owner gets both emails (read back from LocalStack's SES)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from fakes.stripe import FakeStripeServer, sign_payload
from tests.e2e.identity_actors import PROBLEM, Actor, make_hr_with_company, make_user
from tests.e2e.notifications.support import mailbox, wait_for

WEBHOOK = "v1/billing/stripe/webhook"


def _add_member(api: httpx.Client, owner: Actor) -> httpx.Response:
    member = make_user(api, "billing-member", "hr")
    return api.post(
        f"v1/companies/{owner.company_id}/members",
        json={"user_id": member.user_id},
        headers=owner.headers(),
    )


def _upgrade(api: httpx.Client, fake: FakeStripeServer, owner: Actor) -> list[dict[str, Any]]:
    checkout = api.post("v1/billing/checkout", json={"plan": "plus"}, headers=owner.headers())
    assert checkout.status_code == 201, checkout.text
    assert checkout.json()["url"].startswith(fake.base_url)
    before = len(fake.deliveries)
    events = fake.complete_checkout(checkout.json()["session_id"])  # delivered through the API
    delivered = fake.deliveries[before:]
    assert [d.status for d in delivered] == [200, 200, 200], [d.body for d in delivered]
    return events


def test_upgrade_end_to_end_lifts_the_limit(
    api: httpx.Client, fake_stripe: FakeStripeServer
) -> None:
    # Given a company on Free, whose one seat the owner holds
    owner = make_hr_with_company(api, "billing-upgrade")
    account = api.get("v1/billing", headers=owner.headers()).json()
    assert account["plan"]["id"] == "free"
    refused = _add_member(api, owner)
    assert refused.status_code == 402, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["limit"] == {"name": "hr_seats", "allowed": 1, "plan": "free"}
    assert problem["usage"] == {"used": 1, "requested": 1}
    assert problem["upgrade"]["plans"] == ["plus", "pro"]
    assert problem["upgrade"]["checkout"] == "/v1/billing/checkout"

    # When the owner checks out Plus and Stripe's signed webhooks arrive
    _upgrade(api, fake_stripe, owner)

    # Then the plan is Plus, and the member is added
    account = api.get("v1/billing", headers=owner.headers()).json()
    assert account["plan"]["id"] == "plus"
    assert account["subscription"]["status"] == "active"
    added = _add_member(api, owner)
    assert added.status_code == 201, added.text
    seats = {u["metric"]: u for u in api.get("v1/billing", headers=owner.headers()).json()["usage"]}
    assert seats["hr_seats"] == {"metric": "hr_seats", "used": 2, "limit": 5, "period": ""}
    portal = api.post("v1/billing/portal", headers=owner.headers())
    assert portal.status_code == 201, portal.text
    assert portal.json()["url"].startswith(fake_stripe.base_url)


def test_forged_expired_and_replayed_webhooks_are_refused(
    api: httpx.Client, fake_stripe: FakeStripeServer
) -> None:
    owner = make_hr_with_company(api, "billing-forged")
    events = _upgrade(api, fake_stripe, owner)
    completed = events[-1]
    payload = json.dumps(completed).encode()
    headers = {"Content-Type": "application/json"}

    forged = api.post(
        WEBHOOK,
        content=payload,
        headers={**headers, "Stripe-Signature": sign_payload(payload, "whsec_someone_else")},
    )
    expired = api.post(
        WEBHOOK,
        content=payload,
        headers={
            **headers,
            "Stripe-Signature": sign_payload(
                payload, fake_stripe.webhook_secret, int(time.time()) - 301
            ),
        },
    )
    unsigned = api.post(WEBHOOK, content=payload, headers=headers)
    for refused in (forged, expired, unsigned):
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["type"].endswith("/invalid-webhook")

    # A replay of the genuine delivery is acknowledged and changes nothing
    replay = fake_stripe.deliver(completed)
    assert replay.status == 200
    assert json.loads(replay.body) == {"received": True, "duplicate": True}


def test_downgrade_after_a_failed_payment(
    api: httpx.Client,
    fake_stripe: FakeStripeServer,
    outputs: dict[str, str],
    lambda_client: Any,
) -> None:
    # Given a company on Plus
    owner = make_hr_with_company(api, "billing-dunning")
    events = _upgrade(api, fake_stripe, owner)
    sub_id = events[0]["data"]["object"]["id"]

    # When the renewal's payment fails
    for delivery_event in fake_stripe.fail_payment(sub_id, deliver=False):
        assert fake_stripe.deliver(delivery_event).status == 200

    # Then the plan holds during the grace period (5 s on the local stage)
    account = api.get("v1/billing", headers=owner.headers()).json()
    assert account["plan"]["id"] == "plus"
    assert account["subscription"]["status"] == "past_due"
    assert account["subscription"]["grace_until"] is not None

    # When the grace period is over and the sweep runs (the schedule would, every minute)
    def swept() -> bool:
        answer = lambda_client.invoke(FunctionName=outputs["BillingSweepFunctionName"])
        assert "FunctionError" not in answer, answer["Payload"].read()
        assert "downgraded" in json.loads(answer["Payload"].read())
        plan: str = api.get("v1/billing", headers=owner.headers()).json()["plan"]["id"]
        return plan == "free"

    wait_for(swept, 30, "the sweep to drop the company to Free")

    # Then the company is on Free, and the owner got both emails
    account = api.get("v1/billing", headers=owner.headers()).json()
    assert account["subscription"]["downgraded_at"] is not None

    # (the owner's mailbox holds sign-up mail too: wait for these two by their subjects)
    def both_mails() -> list[str] | None:
        sweep = lambda_client.invoke(FunctionName=outputs["NotificationsSweepFunctionName"])
        assert "FunctionError" not in sweep, sweep["Payload"].read()
        subjects = [str(m["Subject"]) for m in mailbox(owner.email)]
        failed = [s for s in subjects if s.startswith("Payment failed")]
        dropped = [s for s in subjects if s.endswith("is now on the Free plan")]
        return failed + dropped if failed and dropped else None

    failed, dropped = wait_for(both_mails, 60, "the dunning emails")
    assert "keeps the Plus plan until" in failed, failed
    assert dropped.startswith("billing-dunning"), dropped


def _draft_template(api: httpx.Client, owner: Actor, title: str) -> str:
    template = api.post(
        "v1/templates", json={"title": title, "settings": {}}, headers=owner.headers()
    )
    assert template.status_code == 201, template.text
    question = api.post(
        f"v1/templates/{template.json()['id']}/questions",
        json={"type": "text", "text": "Why this role?", "time_limit_s": 120},
        headers=owner.headers(),
    )
    assert question.status_code == 201, question.text
    return str(template.json()["id"])


def test_parallel_requests_through_the_api_never_both_take_the_last_unit(
    api: httpx.Client, fake_stripe: FakeStripeServer
) -> None:
    # Given a company on Free (2 active templates) with one published and four drafts
    owner = make_hr_with_company(api, "billing-race")
    drafts = [_draft_template(api, owner, f"Race {i}") for i in range(5)]
    first = api.post(f"v1/templates/{drafts[0]}/publish", headers=owner.headers())
    assert first.status_code == 200, first.text

    # When the four are published at once, through API Gateway (one unit left)
    def publish(template_id: str) -> httpx.Response:
        with httpx.Client(base_url=str(api.base_url), timeout=60.0) as own:
            return own.post(f"v1/templates/{template_id}/publish", headers=owner.headers())

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(publish, drafts[1:]))

    # Then exactly one takes it; the others get the 402 naming the limit, and usage is 2 of 2
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 402, 402, 402], [a.text for a in answers]
    for refused in (a for a in answers if a.status_code == 402):
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["limit"] == {"name": "active_templates", "allowed": 2, "plan": "free"}
    usage = {u["metric"]: u for u in api.get("v1/billing", headers=owner.headers()).json()["usage"]}
    assert usage["active_templates"]["used"] == 2
    assert usage["active_templates"]["limit"] == 2
