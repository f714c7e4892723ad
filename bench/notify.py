"""Benchmark of notifications: `make bench-notify` -> bench/results/notify.json.

Against the deployed stack of the current stage (LOCALSTACK_PORT, PLATFORM_LOCAL_STAGE, DB_NAME):
HR signs up and publishes a template, then invites RUNS candidates through API Gateway, one
after another (one warm-up first, not counted). For each invitation:

  event_to_email_*_ms   from the ``invitation.created`` event's ``occurredAt`` (written in the
                        create's transaction) to the message row's ``sent_at`` (set when SES has
                        accepted the message): outbox -> EventBridge -> SQS -> consumer -> SES.
                        Every one is also checked in LocalStack's SES store (``/_aws/ses``).

Webhooks are not built yet (issue 14's second half), so ``event_to_webhook_*`` and
``webhook_deliveries_per_s`` are not measured.
"""

from __future__ import annotations

import email
import email.policy
import time
from typing import Any

import httpx
import psycopg

from bench._common import percentile, write_result
from scripts import localenv
from scripts.main_job import expect, sign_up_hr
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings

RUNS = 20
DEADLINE_S = 60.0


def _template(api: httpx.Client, hr: dict[str, str]) -> str:
    template = expect(api.post("v1/templates", json={"title": "Bench role"}, headers=hr), 201)
    question = {"type": "text", "text": "Tell us about a hard problem you solved."}
    expect(api.post(f"v1/templates/{template['id']}/questions", json=question, headers=hr), 201)
    expect(api.post(f"v1/templates/{template['id']}/publish", headers=hr))
    return str(template["id"])


def _latency_ms(db: psycopg.Connection[Any], invitation_id: str) -> float:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        row = db.execute(
            "SELECT EXTRACT(EPOCH FROM m.sent_at - (o.envelope->>'occurredAt')::timestamptz)"
            " FROM notifications.messages m JOIN platform.outbox o ON o.event_id = m.event_id"
            " WHERE m.invitation_id = %s AND m.kind = 'invitation' AND m.status = 'sent'",
            (invitation_id,),
        ).fetchone()
        if row is not None:
            return float(row[0]) * 1000
        time.sleep(0.05)  # poll interval within the deadline
    raise SystemExit(f"invitation {invitation_id}: no email sent within {DEADLINE_S:.0f} s")


def main() -> None:
    outputs = localenv.stack_outputs()
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with (
        httpx.Client(base_url=outputs["ApiUrl"], timeout=30) as api,
        psycopg.connect(conninfo_for(settings), autocommit=True) as db,
    ):
        hr, _ = sign_up_hr(api)
        template_id = _template(api, hr)
        latencies: list[float] = []
        addresses: list[str] = []
        for run in range(RUNS + 1):
            address = f"bench-{time.time_ns()}@example.com"
            body = {
                "template_id": template_id,
                "candidate_name": "Bench",
                "candidate_email": address,
            }
            invitation = expect(api.post("v1/invitations", json=body, headers=hr), 201)
            latency = _latency_ms(db, str(invitation["id"]))
            if run:
                latencies.append(latency)
                addresses.append(address)
        stored = httpx.get(f"{localenv.ENDPOINT}/_aws/ses", timeout=30).json()["messages"]
        delivered = {
            str(email.message_from_string(m["RawData"], policy=email.policy.default)["To"])
            for m in stored
            if m.get("RawData")
        }
        missing = [a for a in addresses if a not in delivered]
        if missing:
            raise SystemExit(f"{len(missing)} emails not in LocalStack's SES store")
    write_result(
        "notify",
        {
            "event_to_email_p50_ms": percentile(latencies, 50),
            "event_to_email_p95_ms": percentile(latencies, 95),
            "emails": float(len(latencies)),
        },
    )


if __name__ == "__main__":
    main()
