"""Notifications through the deployed platform: HR invites through the API, the candidate's
email arrives in LocalStack's SES (read back from ``/_aws/ses``), its link opens the interview,
the same event delivered three times sends one email; HR's mail honours preferences and its
one-click unsubscribe works."""

from __future__ import annotations

import email
import email.policy
import re
import time
from typing import Any

import httpx
import psycopg
import pytest

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.events import EventEnvelope
from shared.events.publisher import EventPublisher
from shared.settings import DatabaseSettings
from tests.e2e.identity_actors import make_hr_with_company
from tests.e2e.interviews.hr_support import invite, make_template, ok, publish
from tests.e2e.notifications.support import mailbox, wait_for

pytestmark = pytest.mark.localstack
LINK = re.compile(r"https?://\S+/interview#([A-Za-z0-9_-]{43})")


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture(scope="module")
def db() -> Any:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        yield conn


def _envelope(db: Any, event_type: str, invitation_id: str) -> EventEnvelope:
    rows = db.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = %s"
        " AND envelope->'payload'->>'invitationId' = %s",
        (event_type, invitation_id),
    ).fetchall()
    assert len(rows) == 1, rows
    return EventEnvelope.model_validate(rows[0][0])


def _sent(db: Any, invitation_id: str, kind: str) -> list[tuple[str, int]]:
    rows = db.execute(
        "SELECT status, attempts FROM notifications.messages WHERE invitation_id = %s"
        " AND kind = %s",
        (invitation_id, kind),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def test_an_invitation_emails_the_candidate_once_and_the_link_opens_the_interview(
    api: httpx.Client, outputs: dict[str, str], db: Any
) -> None:
    hr = make_hr_with_company(api, "notify")
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    invitation = invite(api, hr, template_id)
    address = str(invitation["candidate_email"])

    mail = wait_for(lambda: mailbox(address), 60, "the invitation email")
    assert len(mail) == 1
    assert "notify Ltd" in mail[0]["Subject"]
    match = LINK.search(text_of(mail[0]))
    assert match is not None
    assert match.group(0) == invitation["link_url"]
    # The emailed link opens the interview (the candidate's token is all it needs).
    opened = api.get("v1/candidate/interview", headers={"X-Invitation-Token": match.group(1)})
    assert opened.status_code == 200, opened.text

    # The same event delivered twice more (EventBridge delivers at least once): still one email.
    event = _envelope(db, "invitation.created", str(invitation["id"]))
    publisher = EventPublisher(localenv.client("events"), outputs["EventBusName"])
    for _ in range(2):
        assert publisher.publish([event]).failed == {}
    # The consumer has seen them when their claims exist... and queued nothing new.
    wait_for(
        lambda: (
            db.execute(
                "SELECT count(*) FROM platform.processed_events WHERE event_id = %s"
                " AND consumer = 'notifications'",
                (event.event_id,),
            ).fetchone()[0]
            == 1
        ),
        30,
        "the consumer's claim",
    )
    queue_url = outputs["NotificationsQueueUrl"]
    sqs = localenv.client("sqs")
    wait_for(
        lambda: all(
            sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"][k]
            == "0"
            for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
        ),
        60,
        "the redeliveries to be consumed",
    )
    assert len(mailbox(address)) == 1
    # Sent once; then SES's Delivery feedback (LocalStack publishes one for every send) marks it.
    wait_for(
        lambda: _sent(db, str(invitation["id"]), "invitation") == [("delivered", 1)],
        60,
        "the invitation to be sent once and delivered",
    )

    # HR sees it in the delivery log.
    log = ok(
        api.get(
            "v1/notifications/messages",
            params={"invitation_id": str(invitation["id"])},
            headers=hr.headers(),
        ),
        200,
    )
    assert [(m["kind"], m["status"], m["recipient"]) for m in log["items"]] == [
        ("invitation", "delivered", address)
    ]


def test_cancelling_tells_the_candidate_and_extending_sends_the_new_date(
    api: httpx.Client, db: Any
) -> None:
    hr = make_hr_with_company(api, "notify2")
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    extended = invite(api, hr, template_id)
    ok(
        api.post(f"v1/invitations/{extended['id']}/extend", json={"days": 3}, headers=hr.headers()),
        200,
    )
    cancelled = invite(api, hr, template_id)
    ok(api.post(f"v1/invitations/{cancelled['id']}/cancel", headers=hr.headers()), 200)

    def subjects(address: object) -> list[str]:
        return sorted(str(m["Subject"]) for m in mailbox(str(address)))

    got = wait_for(lambda: len(subjects(extended["candidate_email"])) == 2 or None, 60, "2 emails")
    assert got
    assert any("More time" in s for s in subjects(extended["candidate_email"]))
    wait_for(
        lambda: any("cancelled" in s for s in subjects(cancelled["candidate_email"])),
        60,
        "the cancellation email",
    )


def test_hr_preferences_and_one_click_unsubscribe(api: httpx.Client) -> None:
    hr = make_hr_with_company(api, "prefs")
    prefs = ok(api.get("v1/notifications/preferences", headers=hr.headers()), 200)
    assert prefs == {
        "invitation_reminder": True,
        "interview_completed": True,
        "analysis_ready": True,
        "analysis_failed": True,
    }
    changed = ok(
        api.patch(
            "v1/notifications/preferences", json={"analysis_ready": False}, headers=hr.headers()
        ),
        200,
    )
    assert changed["analysis_ready"] is False
    assert changed["interview_completed"] is True
    # Anonymous, a forged token is refused with a problem, never a 500.
    forged = api.post("v1/notifications/unsubscribe", params={"token": "aGVsbG8.c2lnbmF0dXJl"})
    assert forged.status_code == 404
    assert forged.headers["content-type"].startswith("application/problem+json")
    anonymous = api.get("v1/notifications/preferences")
    assert anonymous.status_code == 401


def test_a_reminder_before_expiry_and_its_one_click_unsubscribe(
    api: httpx.Client, outputs: dict[str, str], lambda_client: Any
) -> None:
    hr = make_hr_with_company(api, "remind")
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    body = {
        "template_id": template_id,
        "candidate_name": "Ada Lovelace",
        "candidate_email": f"ada-{time.time_ns()}@example.com",
        "expires_in_days": 1,
    }
    invitation = ok(api.post("v1/invitations", json=body, headers=hr.headers()), 201)
    address = str(invitation["candidate_email"])
    # The schedule runs the sweep every minute; run it now rather than wait for it.
    for _ in range(2):  # twice: a second run queues no second reminder
        answer = lambda_client.invoke(FunctionName=outputs["NotificationsSweepFunctionName"])
        assert "FunctionError" not in answer, answer["Payload"].read()

    def reminders() -> list[email.message.EmailMessage]:
        return [m for m in mailbox(address) if "Reminder" in str(m["Subject"])]

    mail = wait_for(reminders, 60, "the reminder")
    assert len(mail) == 1
    assert invitation["link_url"] in text_of(mail[0])
    assert mail[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(mail[0]["List-Unsubscribe"]).strip("<>")
    # What a mail client does for RFC 8058: one anonymous POST, this body.
    status = httpx.get(url, timeout=30)
    assert status.status_code == 200
    assert status.json()["subscribed"] is True
    done = httpx.post(
        url,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"email": address, "kind": "invitation_reminder", "subscribed": False}
    assert httpx.get(url, timeout=30).json()["subscribed"] is False
