"""Notifications against a real PostgreSQL and LocalStack's SES: one message per event and
recipient however often the event comes, the link opened from its sealed copy, retries with a
growing delay, preferences, suppression and reminders."""

from __future__ import annotations

import email
import email.policy
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from psycopg_pool import ConnectionPool

from scripts import localenv
from shared.appkey import AppKey
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.dal.sql import Conn
from shared.events import EventEnvelope
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.identity import accounts, companies, verification
from shared.identity import dal as identity_dal
from shared.identity.caller import Caller, load_caller
from shared.identity.models import CompanyCreate
from shared.interviews import invitations, templates
from shared.interviews.models import InvitationCreate, QuestionCreate, TemplateCreate
from shared.interviews.tokens import LINK_SEAL, hash_token
from shared.notifications import dal
from shared.notifications.delivery import DeliveryDeps, deliver
from shared.notifications.mail import SesMailer
from shared.notifications.planning import CONSUMER, on_event, queue_reminders, tracking_queued
from shared.notifications.settings import NotificationsSettings
from shared.settings import DatabaseSettings
from tests.builders import unreachable_client
from tests.integration.conftest import LOCALSTACK
from tests.integration.identity.conftest import FAST_HASHER

pytestmark = pytest.mark.localstack

KEY = AppKey(b"integration-test-app-key-material-0123456789")
SENDER = "no-reply@itest.interview-platform.dev"
ORIGIN = "https://app.example.com"


@pytest.fixture(scope="module")
def ses() -> Any:
    client = localenv.client("ses", LOCALSTACK)
    client.verify_email_identity(EmailAddress=SENDER)
    return client


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=4, open=True, name="itest") as opened:
        yield opened


def _deps(pool: ConnectionPool, mailer: Any, **settings: Any) -> DeliveryDeps:
    @contextmanager
    def transaction() -> Iterator[Conn]:
        with pool.connection() as conn, conn.transaction():
            yield conn

    return DeliveryDeps(
        transaction=transaction,
        mailer=mailer,
        key=lambda: KEY,
        settings=NotificationsSettings(
            sender=SENDER, frontend_origin=ORIGIN, api_url="https://api.example.com/", **settings
        ),
    )


def _links() -> invitations.LinkMaker:
    return invitations.LinkMaker(
        ORIGIN, "/interview", lambda i, t: KEY.seal(LINK_SEAL, t.encode(), i.bytes)
    )


def _hr(conn: Conn) -> Caller:
    with conn.transaction():
        out = accounts.register(
            conn,
            f"hr-{uuid.uuid4().hex[:8]}@example.com",
            "correct horse 42 battery",
            correlation_id="t",
            hasher=FAST_HASHER,
        )
        identity_dal.set_role(conn, out.id, "hr")
    caller = load_caller(conn, str(out.id), "t")
    with conn.transaction():
        companies.create_company(conn, caller, CompanyCreate(name="Acme & Sons"))
    return load_caller(conn, str(caller.id), "t")


def _invitation(conn: Conn, hr: Caller, days: int = 7) -> tuple[uuid.UUID, str, str]:
    """(invitation id, candidate email, link token)"""
    with conn.transaction():
        template = templates.create_template(conn, hr, TemplateCreate(title="Backend engineer"))
        templates.add_question(
            conn,
            hr,
            template.id,
            QuestionCreate.model_validate({"type": "text", "text": "Why this role, and why now?"}),
        )
        templates.publish_template(conn, hr, template.id)
        address = f"grace-{uuid.uuid4().hex[:8]}@example.com"
        made = invitations.create_invitation(
            conn,
            hr,
            InvitationCreate(
                template_id=template.id,
                candidate_name="Grace Hopper",
                candidate_email=address,
                expires_in_days=days,
            ),
            _links(),
        )
    assert made.link_token is not None
    return made.id, address, made.link_token


def _event_of(conn: Conn, event_type: str, invitation_id: uuid.UUID) -> EventEnvelope:
    rows = conn.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = %s ORDER BY created_at",
        (event_type,),
    ).fetchall()
    detail = next(r[0] for r in rows if str(invitation_id) in str(r[0]["payload"]))
    return EventEnvelope.model_validate(detail)


def _sqs_body(envelope: EventEnvelope) -> dict[str, Any]:
    body = {"detail-type": envelope.event_type, "detail": envelope.to_detail()}
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "body": json.dumps(body),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q",
                "awsRegion": "us-east-1",
                "receiptHandle": "r",
            }
        ]
    }


def _mailbox(address: str) -> list[email.message.EmailMessage]:
    answer = httpx.get(f"{LOCALSTACK}/_aws/ses", params={"email": SENDER}, timeout=10)
    answer.raise_for_status()
    found = []
    for message in answer.json()["messages"]:
        raw = message.get("RawData")
        if not raw:
            continue
        parsed = email.message_from_string(raw, policy=email.policy.default)
        if parsed["To"] == address:
            found.append(parsed)
    return found


def _text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _consume(pool: ConnectionPool, deps: DeliveryDeps, envelope: EventEnvelope) -> None:
    consumer = EventConsumer(CONSUMER, on_event, PostgresDeduplicator.from_pool(lambda: pool))
    with tracking_queued() as queued:
        for record in _sqs_body(envelope)["Records"]:
            consumer.handle_body(record["body"])
    deliver(queued.messages, deps)


def test_an_invitation_sends_one_email_with_a_working_link_however_often_it_comes(
    pool: ConnectionPool, ses: Any
) -> None:
    deps = _deps(pool, SesMailer(ses))
    with pool.connection() as conn:
        hr = _hr(conn)
        invitation_id, address, token = _invitation(conn, hr)
        event = _event_of(conn, "invitation.created", invitation_id)
    for _ in range(3):
        _consume(pool, deps, event)
    # A redelivery whose dedupe claim was lost (the claim table emptied) still queues nothing.
    with pool.connection() as conn:
        conn.execute("DELETE FROM platform.processed_events")
    _consume(pool, deps, event)

    mails = _mailbox(address)
    assert len(mails) == 1
    mail = mails[0]
    assert "Acme & Sons" in mail["Subject"]
    assert mail["List-Unsubscribe"] is None  # an invitation is transactional
    body = _text(mail)
    assert f"{ORIGIN}/interview#{token}" in body
    # The link's token is the one whose hash the invitation stores: it opens the interview.
    with pool.connection() as conn:
        stored = conn.execute(
            "SELECT token_hash, token_sealed FROM interviews.invitations WHERE id = %s",
            (invitation_id,),
        ).fetchone()
        assert stored is not None
        assert bytes(stored[0]) == hash_token(token)
        assert token.encode() not in bytes(stored[1])  # sealed, never stored in the clear
        assert hr.user.company_id is not None
        log = dal.messages_of_company(
            conn, hr.user.company_id, invitation_id=invitation_id, before=None, limit=10
        )
    assert [(m.kind, m.status, m.recipient) for m in log] == [("invitation", "sent", address)]
    assert log[0].ses_message_id


def test_a_failing_provider_is_retried_with_a_growing_delay_then_failed(
    pool: ConnectionPool, ses: Any
) -> None:
    # SES unreachable: a client of a port nobody listens on (a real connection error).
    dead = unreachable_client("ses")
    deps = _deps(pool, SesMailer(dead), max_attempts=3, retry_base_s=30)
    with pool.connection() as conn:
        hr = _hr(conn)
        invitation_id, address, _ = _invitation(conn, hr)
        event = _event_of(conn, "invitation.created", invitation_id)
    _consume(pool, deps, event)

    def row() -> dict[str, Any]:
        with pool.connection() as conn:
            found = conn.execute(
                "SELECT status, attempts, next_attempt_at - now() AS wait, error"
                " FROM notifications.messages WHERE invitation_id = %s",
                (invitation_id,),
            ).fetchone()
        assert found is not None
        return {"status": found[0], "attempts": found[1], "wait": found[2], "error": found[3]}

    first = row()
    assert first["status"] == "queued"
    assert first["attempts"] == 1
    assert timedelta(seconds=20) < first["wait"] <= timedelta(seconds=30)
    assert "SES unreachable" in first["error"]

    def make_due() -> None:
        with pool.connection() as conn:
            conn.execute(
                "UPDATE notifications.messages SET next_attempt_at = now()"
                " WHERE invitation_id = %s",
                (invitation_id,),
            )

    make_due()
    deliver(None, deps)
    second = row()
    assert second["attempts"] == 2
    assert timedelta(seconds=50) < second["wait"] <= timedelta(seconds=60)
    make_due()
    deliver(None, deps)
    assert row()["status"] == "failed"
    assert row()["attempts"] == 3
    # Then the provider is back: a failed message stays failed (the log says so); a new one goes.
    assert _mailbox(address) == []


def test_preferences_and_suppressions_stop_optional_mail(pool: ConnectionPool, ses: Any) -> None:
    deps = _deps(pool, SesMailer(ses))
    with pool.connection() as conn:
        hr = _hr(conn)
        invitation_id, address, _ = _invitation(conn, hr, days=1)
        with conn.transaction():
            dal.set_preference(conn, address, "invitation_reminder", False)
            queued = queue_reminders(conn, 86400, 50)
        assert queued >= 1
        with conn.transaction():
            again = queue_reminders(conn, 86400, 50)
        mine = conn.execute(
            "SELECT count(*) FROM notifications.messages WHERE invitation_id = %s"
            " AND kind = 'invitation_reminder'",
            (invitation_id,),
        ).fetchone()
        assert mine == (1,)  # one reminder per invitation and expiry
        del again
    deliver(None, deps)
    with pool.connection() as conn:
        status = conn.execute(
            "SELECT status, error FROM notifications.messages WHERE invitation_id = %s"
            " AND kind = 'invitation_reminder'",
            (invitation_id,),
        ).fetchone()
    assert status is not None
    assert status[0] == "suppressed"
    assert "turned" in status[1]
    assert [m for m in _mailbox(address) if "Reminder" in m["Subject"]] == []

    # A suppressed address gets nothing, transactional mail included.
    with pool.connection() as conn:
        invitation_id, address, _ = _invitation(conn, hr)
        with conn.transaction():
            dal.suppress(conn, address, "bounce", "550 no such user")
        event = _event_of(conn, "invitation.created", invitation_id)
    _consume(pool, deps, event)
    assert _mailbox(address) == []


def test_a_reminder_carries_the_current_link_and_the_unsubscribe_headers(
    pool: ConnectionPool, ses: Any
) -> None:
    deps = _deps(pool, SesMailer(ses))
    with pool.connection() as conn:
        hr = _hr(conn)
        invitation_id, address, _ = _invitation(conn, hr, days=1)
        with conn.transaction():
            fresh = invitations.resend_invitation(conn, hr, invitation_id, _links())
        with conn.transaction(), tracking_queued() as queued:
            queue_reminders(conn, 86400, 500)
    deliver(queued.messages, deps)
    reminders = [m for m in _mailbox(address) if "Reminder" in m["Subject"]]
    assert len(reminders) == 1
    assert f"/interview#{fresh.link_token}" in _text(reminders[0])
    unsubscribe = reminders[0]["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://api.example.com/v1/notifications/unsubscribe?token=")
    assert reminders[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_every_account_email_is_sent_once_with_a_link_that_works(
    pool: ConnectionPool, ses: Any
) -> None:
    """Sign-up -> user.verification_requested -> the consumer -> SES: the mail's link verifies;
    the reset and email-change mails carry their links too, and a used link is not mailed."""
    deps = _deps(pool, SesMailer(ses))
    address = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    with pool.connection() as conn, conn.transaction():
        accounts.register_account(
            conn, address, "correct horse 42 battery", correlation_id="t", hasher=FAST_HASHER
        )
    with pool.connection() as conn:
        event = _account_event(conn, "user.verification_requested", address)
    for _ in range(2):
        _consume(pool, deps, event)
    mails = _mailbox(address)
    assert len(mails) == 1
    assert mails[0]["List-Unsubscribe"] is None  # transactional
    match = re.search(rf"{ORIGIN}/verify-email#([\w.-]+)", _text(mails[0]))
    assert match is not None
    with pool.connection() as conn, conn.transaction():
        assert verification.verify_email(conn, KEY, match.group(1), "t") == address

    # A reset asked for twice: the first link is spent by the reset, so its late mail is not sent
    with pool.connection() as conn, conn.transaction():
        verification.request_password_reset(conn, address, "t")
        verification.request_password_reset(conn, address, "t")
    with pool.connection() as conn:
        first, second = _account_events(conn, "user.password_reset_requested", address)
    _consume(pool, deps, second)
    reset_mail = [m for m in _mailbox(address) if "new password" in str(m["Subject"])]
    assert len(reset_mail) == 1
    token = re.search(rf"{ORIGIN}/reset-password#([\w.-]+)", _text(reset_mail[0]))
    assert token is not None
    with pool.connection() as conn, conn.transaction():
        verification.reset_password(
            conn,
            KEY,
            token.group(1),
            "a brand new pass 99",
            correlation_id="t",
            hasher=FAST_HASHER,
        )
    _consume(pool, deps, first)
    assert len([m for m in _mailbox(address) if "new password" in str(m["Subject"])]) == 1
    with pool.connection() as conn:
        status = conn.execute(
            "SELECT status, error FROM notifications.messages WHERE event_id = %s",
            (first.event_id,),
        ).fetchone()
    assert status == ("suppressed", "the link was used or has expired")


def _account_events(conn: Conn, event_type: str, address: str) -> list[EventEnvelope]:
    rows = conn.execute(
        "SELECT envelope FROM platform.outbox WHERE event_type = %s"
        " AND envelope->'payload'->>'email' = %s ORDER BY created_at",
        (event_type, address),
    ).fetchall()
    return [EventEnvelope.model_validate(r[0]) for r in rows]


def _account_event(conn: Conn, event_type: str, address: str) -> EventEnvelope:
    (event,) = _account_events(conn, event_type, address)
    return event
