"""Benchmark of notifications: `make bench-notify` -> bench/results/notify.json.

Against the deployed stack of the current stage (LOCALSTACK_PORT, PLATFORM_LOCAL_STAGE, DB_NAME),
with a webhook receiver the bench runs on 127.0.0.1 (bench/_receiver.py; the local deployment
allows plain-HTTP loopback endpoints, ``NOTIFY_WEBHOOK_ALLOW_LOOPBACK``, AWS does not). Every
delivery the receiver counts has been verified with the ``standardwebhooks`` library against its
endpoint's secret (one that does not verify fails the bench).

Latency: HR signs up, publishes a template and registers one webhook endpoint for
``invitation.created``, then invites RUNS candidates through API Gateway, one after another
(one warm-up first, not counted), each one's email and webhook awaited before the next:

  event_to_email_*_ms    from the ``invitation.created`` event's ``occurredAt`` (written in the
                         create's transaction) to the message row's ``sent_at`` (set when SES has
                         accepted the message): outbox -> EventBridge -> SQS -> consumer -> SES.
                         Every one is also checked in LocalStack's SES store (``/_aws/ses``).
  event_to_webhook_*_ms  from the same ``occurredAt`` (the delivery's ``timestamp``) to the
                         receiver's clock when the signed POST arrived (end to end, rather than
                         the attempt row written after the answer): outbox -> EventBridge -> SQS
                         -> consumer -> delivery queued -> signed POST.

Throughput: a second company registers MAX_ENDPOINTS (20, the most a company may have) endpoints
for ``invitation.created``, each its own path on the receiver, then creates BURST_EVENTS
invitations back to back: each event fans out to 20 deliveries that the consumer queues in one
transaction and sends with the platform's own bounded concurrency (``PARALLEL_SENDS``, 8 at a
time).

  webhook_deliveries_per_s  distinct deliveries (``webhook-id``) verified at the receiver,
                            divided by the wall time from the first invitation's request to the
                            last delivery's arrival (so it includes one event's latency).
"""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import psycopg

from bench._common import percentile, write_result
from bench._receiver import Arrival, Receiver, receiver
from scripts import localenv
from scripts.main_job import expect, sign_up_hr
from shared.dal.db import conninfo_for
from shared.notifications.webhooks import MAX_ENDPOINTS
from shared.settings import DatabaseSettings

RUNS = 20
BURST_EVENTS = 5
DEADLINE_S = 60.0
EVENT = "invitation.created"


def _template(api: httpx.Client, hr: dict[str, str]) -> str:
    template = expect(api.post("v1/templates", json={"title": "Bench role"}, headers=hr), 201)
    question = {"type": "text", "text": "Tell us about a hard problem you solved."}
    expect(api.post(f"v1/templates/{template['id']}/questions", json=question, headers=hr), 201)
    expect(api.post(f"v1/templates/{template['id']}/publish", headers=hr))
    return str(template["id"])


def _invite(api: httpx.Client, hr: dict[str, str], template_id: str) -> tuple[str, str]:
    address = f"bench-{time.time_ns()}@example.com"
    body = {"template_id": template_id, "candidate_name": "Bench", "candidate_email": address}
    invitation = expect(api.post("v1/invitations", json=body, headers=hr), 201)
    return str(invitation["id"]), address


def _register(api: httpx.Client, hr: dict[str, str], hook: Receiver, path: str) -> None:
    body = {"url": hook.url(path), "event_types": [EVENT]}
    endpoint = expect(api.post("v1/webhooks", json=body, headers=hr), 201)
    with hook.lock:
        hook.secrets[path] = str(endpoint["secret"])


def _poll[T](check: Callable[[], T | None], what: str) -> T:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(0.02)  # poll interval within the deadline
    raise SystemExit(f"{what}: not within {DEADLINE_S:.0f} s")


def _email_ms(db: psycopg.Connection[Any], invitation_id: str) -> float:
    def sent() -> float | None:
        row = db.execute(
            "SELECT EXTRACT(EPOCH FROM m.sent_at - (o.envelope->>'occurredAt')::timestamptz)"
            " FROM notifications.messages m JOIN platform.outbox o ON o.event_id = m.event_id"
            " WHERE m.invitation_id = %s AND m.kind = 'invitation' AND m.status = 'sent'",
            (invitation_id,),
        ).fetchone()
        return None if row is None else float(row[0]) * 1000

    return _poll(sent, f"invitation {invitation_id}: its email")


def _of(arrivals: list[Arrival], invitation_id: str) -> list[Arrival]:
    return [
        a
        for a in arrivals
        if a.message.get("type") == EVENT and a.message["data"].get("invitationId") == invitation_id
    ]


def _webhook_ms(hook: Receiver, invitation_id: str) -> float:
    def arrived() -> Arrival | None:
        found = _of(hook.snapshot(), invitation_id)
        return found[0] if found else None

    arrival = _poll(arrived, f"invitation {invitation_id}: its webhook")
    occurred = datetime.fromisoformat(str(arrival.message["timestamp"]))
    return (arrival.at - occurred.timestamp()) * 1000


def _latencies(
    api: httpx.Client, db: psycopg.Connection[Any], hook: Receiver
) -> tuple[list[float], list[float], list[str]]:
    hr, _ = sign_up_hr(api)
    template_id = _template(api, hr)
    _register(api, hr, hook, "/hooks/latency")
    emails: list[float] = []
    webhooks: list[float] = []
    addresses: list[str] = []
    for run in range(RUNS + 1):
        invitation_id, address = _invite(api, hr, template_id)
        email_ms = _email_ms(db, invitation_id)
        webhook_ms = _webhook_ms(hook, invitation_id)
        if run:
            emails.append(email_ms)
            webhooks.append(webhook_ms)
            addresses.append(address)
    return emails, webhooks, addresses


def _throughput(api: httpx.Client, hook: Receiver) -> tuple[int, float]:
    hr, _ = sign_up_hr(api)
    template_id = _template(api, hr)
    paths = [f"/hooks/burst-{n}" for n in range(MAX_ENDPOINTS)]
    for path in paths:
        _register(api, hr, hook, path)
    started = time.time()
    invitation_ids = [_invite(api, hr, template_id)[0] for _ in range(BURST_EVENTS)]
    expected = len(invitation_ids) * len(paths)

    def all_arrived() -> list[Arrival] | None:
        snapshot = hook.snapshot()
        found = [a for i in invitation_ids for a in _of(snapshot, i) if a.path in paths]
        return found if len({a.webhook_id for a in found}) >= expected else None

    found = _poll(all_arrived, f"{expected} webhook deliveries")
    distinct = {a.webhook_id: a for a in found}
    if {(a.path, a.message["data"]["invitationId"]) for a in distinct.values()} != {
        (p, i) for p in paths for i in invitation_ids
    }:
        raise SystemExit("the burst's deliveries are not one per endpoint and event")
    elapsed = max(a.at for a in distinct.values()) - started
    print(f"burst: {len(distinct)} deliveries ({len(found)} received) in {elapsed:.2f} s")
    return len(distinct), elapsed


def main() -> None:
    outputs = localenv.stack_outputs()
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with (
        httpx.Client(base_url=outputs["ApiUrl"], timeout=30) as api,
        psycopg.connect(conninfo_for(settings), autocommit=True) as db,
        receiver() as hook,
    ):
        emails, webhooks, addresses = _latencies(api, db, hook)
        deliveries, elapsed = _throughput(api, hook)
        if hook.rejected:
            raise SystemExit(f"{hook.rejected} webhook deliveries did not verify")
        stored = httpx.get(f"{localenv.ENDPOINT}/_aws/ses", timeout=30).json()["messages"]
        delivered = {
            str(email.message_from_string(m["RawData"], policy=email.policy.default)["To"])
            for m in stored
            if m.get("RawData")
        }
        missing = [a for a in addresses if a not in delivered]
        if missing:
            raise SystemExit(f"{len(missing)} emails not in LocalStack's SES store")
    print(f"{len(emails)} emails and {len(webhooks)} webhooks timed")
    write_result(
        "notify",
        {
            "event_to_email_p50_ms": percentile(emails, 50),
            "event_to_email_p95_ms": percentile(emails, 95),
            "event_to_webhook_p50_ms": percentile(webhooks, 50),
            "event_to_webhook_p95_ms": percentile(webhooks, 95),
            "webhook_deliveries_per_s": deliveries / elapsed,
        },
    )


if __name__ == "__main__":
    main()
