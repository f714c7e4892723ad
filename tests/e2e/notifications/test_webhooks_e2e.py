"""Webhooks through the deployed platform: HR registers an endpoint on a loopback receiver, a
ping and a real event arrive signed (verified with the ``standardwebhooks`` library), a
receiver that fails three times gets the delivery on the fourth try (the log shows them), a
410 disables the endpoint, and metadata and private addresses are refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from tests.e2e.identity_actors import Actor, make_hr_with_company
from tests.e2e.interviews.hr_support import invite, make_template, ok, publish
from tests.e2e.notifications.support import wait_for
from tests.integration.notifications.receiver import Receiver, receiver

pytestmark = pytest.mark.localstack


def _register(api: httpx.Client, hr: Actor, url: str) -> dict[str, Any]:
    body = {"url": url, "event_types": ["invitation.created", "invitation.cancelled"]}
    return ok(api.post("v1/webhooks", json=body, headers=hr.headers()), 201)


def _verified(secret: str, hook: Receiver) -> list[dict[str, Any]]:
    return [Webhook(secret).verify(hit.body, hit.headers) for hit in hook.received]


def test_a_ping_and_an_event_arrive_signed_and_failures_are_retried(
    api: httpx.Client, outputs: dict[str, str], lambda_client: Any
) -> None:
    hr = make_hr_with_company(api, "hooks")
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    with receiver(script=[200, 200, 500, 502, 500]) as hook:
        endpoint = _register(api, hr, hook.url)
        secret = endpoint["secret"]
        assert secret.startswith("whsec_")
        assert "secret" not in ok(api.get("v1/webhooks", headers=hr.headers()), 200)["items"][0]

        pinged = ok(api.post(f"v1/webhooks/{endpoint['id']}/ping", headers=hr.headers()), 200)
        assert pinged["status"] == "succeeded"
        assert [a["status_code"] for a in pinged["attempts"]] == [200]

        invitation = invite(api, hr, template_id)
        wait_for(lambda: len(hook.received) >= 2, 60, "the invitation.created delivery")
        bodies = _verified(secret, hook)
        assert [b["type"] for b in bodies] == ["webhook.ping", "invitation.created"]
        assert bodies[1]["data"]["invitationId"] == invitation["id"]

        # The next event meets a receiver that fails three times, then recovers.
        ok(api.post(f"v1/invitations/{invitation['id']}/cancel", headers=hr.headers()), 200)
        wait_for(lambda: len(hook.received) >= 3, 60, "the first try of invitation.cancelled")

        def delivered() -> bool:
            # The schedule runs the sweep every minute; run it now rather than wait.
            lambda_client.invoke(FunctionName=outputs["NotificationsSweepFunctionName"])
            return len(hook.received) >= 6

        wait_for(delivered, 120, "the retries of invitation.cancelled")
    assert [b["type"] for b in _verified(secret, hook)][2:] == ["invitation.cancelled"] * 4
    log = ok(api.get(f"v1/webhooks/{endpoint['id']}/deliveries", headers=hr.headers()), 200)
    cancelled = next(d for d in log["items"] if d["event_type"] == "invitation.cancelled")
    assert cancelled["status"] == "succeeded"
    assert [a["status_code"] for a in cancelled["attempts"]] == [500, 502, 500, 200]


def test_a_410_disables_the_endpoint(api: httpx.Client) -> None:
    hr = make_hr_with_company(api, "gone")
    with receiver(default_status=410) as hook:
        endpoint = _register(api, hr, hook.url)
        pinged = ok(api.post(f"v1/webhooks/{endpoint['id']}/ping", headers=hr.headers()), 200)
    assert pinged["status"] == "failed"
    assert len(hook.received) == 1
    [listed] = ok(api.get("v1/webhooks", headers=hr.headers()), 200)["items"]
    assert listed["status"] == "disabled"
    assert "410" in listed["disabled_reason"]
    # A disabled endpoint gets nothing until HR enables it again.
    redo = api.post(
        f"v1/webhooks/{endpoint['id']}/deliveries/{pinged['id']}/redeliver", headers=hr.headers()
    )
    assert redo.status_code == 409


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "ftp://x.org/"]
)
def test_private_and_metadata_addresses_are_refused(api: httpx.Client, url: str) -> None:
    hr = make_hr_with_company(api, "ssrf")
    refused = api.post(
        "v1/webhooks",
        json={"url": url, "event_types": ["invitation.created"]},
        headers=hr.headers(),
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
