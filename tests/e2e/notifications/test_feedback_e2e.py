"""SES feedback through the deployed platform: an invitation's email goes out with our
configuration set, LocalStack's own Delivery event travels SNS -> SQS -> the feedback Lambda
and marks it delivered. LocalStack never generates bounces or complaints, so the test publishes
SES's documented Bounce (Permanent) and Complaint notifications for the real message ids to the
same topic, and checks the suppression list, the delivery log, and that a later email to the
bounced address is not sent."""

from __future__ import annotations

import json
from typing import Any

import httpx
import psycopg
import pytest

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.builders import ses_notification
from tests.e2e.identity_actors import Actor, make_hr_with_company
from tests.e2e.interviews.hr_support import invite, make_template, ok, publish
from tests.e2e.notifications.support import mailbox, wait_for

pytestmark = pytest.mark.localstack


@pytest.fixture(scope="module")
def db() -> Any:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        yield conn


def _message(db: Any, invitation_id: object, kind: str) -> tuple[str, str | None] | None:
    row = db.execute(
        "SELECT status, ses_message_id FROM notifications.messages WHERE invitation_id = %s"
        " AND kind = %s",
        (str(invitation_id), kind),
    ).fetchone()
    return (row[0], row[1]) if row else None


def _status_becomes(db: Any, invitation_id: object, kind: str, status: str) -> str:
    """Waits for the message to reach ``status``; its SES message id."""
    found = wait_for(
        lambda: (m := _message(db, invitation_id, kind)) is not None and m[0] == status and m,
        60,
        f"the {kind} message to be {status}",
    )
    return str(found[1])


def _suppression(db: Any, address: str) -> str | None:
    row = db.execute(
        "SELECT reason FROM notifications.suppressions WHERE email = %s", (address,)
    ).fetchone()
    return str(row[0]) if row else None


def _log(api: httpx.Client, hr: Actor, invitation_id: object) -> list[tuple[str, str]]:
    page = ok(
        api.get(
            "v1/notifications/messages",
            params={"invitation_id": str(invitation_id)},
            headers=hr.headers(),
        ),
        200,
    )
    return [(m["kind"], m["status"]) for m in page["items"]]


def _publish_feedback(outputs: dict[str, str], kind: str, message_id: str, address: str) -> None:
    notification = ses_notification(kind, message_id=message_id, recipient=address)
    localenv.client("sns").publish(
        TopicArn=outputs["NotificationsFeedbackTopicArn"],
        Message=json.dumps(notification),
        Subject="Amazon SES Email Event Notification",
    )


def test_delivery_from_localstack_then_a_bounce_suppresses_the_next_email(
    api: httpx.Client, outputs: dict[str, str], db: Any
) -> None:
    hr = make_hr_with_company(api, "feedback")
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    invitation = invite(api, hr, template_id)
    address = str(invitation["candidate_email"])

    # LocalStack's own Delivery event, through the configuration set's SNS destination.
    message_id = _status_becomes(db, invitation["id"], "invitation", "delivered")
    assert len(mailbox(address)) == 1
    assert _log(api, hr, invitation["id"]) == [("invitation", "delivered")]

    # SES's documented permanent bounce for that message (LocalStack never makes one).
    _publish_feedback(outputs, "bounce_permanent", message_id, address)
    _status_becomes(db, invitation["id"], "invitation", "bounced")
    assert _suppression(db, address) == "bounce"
    assert _log(api, hr, invitation["id"]) == [("invitation", "bounced")]

    # A later email to that address is suppressed, not sent.
    ok(api.post(f"v1/invitations/{invitation['id']}/resend", headers=hr.headers()), 200)
    _status_becomes(db, invitation["id"], "invitation_resent", "suppressed")
    assert len(mailbox(address)) == 1


def test_a_complaint_suppresses_the_address_and_marks_the_message_complained(
    api: httpx.Client, outputs: dict[str, str], db: Any
) -> None:
    hr = make_hr_with_company(api, "complaint")
    template_id = make_template(api, hr)
    publish(api, hr, template_id)
    invitation = invite(api, hr, template_id)
    address = str(invitation["candidate_email"])
    message_id = _status_becomes(db, invitation["id"], "invitation", "delivered")

    _publish_feedback(outputs, "complaint", message_id, address)

    _status_becomes(db, invitation["id"], "invitation", "complained")
    assert _suppression(db, address) == "complaint"
    assert _log(api, hr, invitation["id"]) == [("invitation", "complained")]
    # Nothing dead-lettered on the way.
    dlq = localenv.client("sqs").get_queue_attributes(
        QueueUrl=outputs["NotificationsFeedbackDlqUrl"],
        AttributeNames=["ApproximateNumberOfMessages"],
    )
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"
