"""Webhooks against a real PostgreSQL and a real receiver on loopback, every delivery verified
with the ``standardwebhooks`` library (not our code): retries until the receiver recovers,
410 disables, a run of failures over days disables and emails the owner, secret rotation signs
with both secrets, and the SSRF guard at registration and at send time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from psycopg_pool import ConnectionPool
from standardwebhooks import Webhook

from shared.appkey import AppKey
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.dal.sql import Conn
from shared.errors import UnprocessableError
from shared.events import new_event
from shared.models.events.interviews import CandidateDecided
from shared.notifications import webhook_dal, webhooks
from shared.notifications.settings import NotificationsSettings
from shared.notifications.webhook_models import EndpointCreate
from shared.notifications.webhooks import WebhookDeps, dispatch, queue_for_event
from shared.settings import DatabaseSettings
from tests.integration.notifications.receiver import receiver

KEY = AppKey(b"webhook-integration-test-key-material-012345")


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=4, open=True, name="itest") as opened:
        yield opened


def _deps(pool: ConnectionPool, resolve: Any = None, **settings: Any) -> WebhookDeps:
    @contextmanager
    def transaction() -> Iterator[Conn]:
        with pool.connection() as conn, conn.transaction():
            yield conn

    options: dict[str, Any] = {
        "webhook_allow_http": True,
        "webhook_allow_loopback": True,
        "webhook_retry_schedule_s": "1,1,1,1,1",
        **settings,
    }
    extra = {"resolve": resolve} if resolve else {}
    return WebhookDeps(
        transaction=transaction, key=lambda: KEY, settings=NotificationsSettings(**options), **extra
    )


def _owner(pool: ConnectionPool) -> tuple[uuid.UUID, uuid.UUID]:
    """(company, user): an HR user and a company in identity's tables."""
    with pool.connection() as conn:
        user = conn.execute(
            "INSERT INTO identity.users (email, password_hash, role) VALUES (%s, 'x', 'hr')"
            " RETURNING id",
            (f"owner-{uuid.uuid4().hex[:8]}@example.com",),
        ).fetchone()
        assert user is not None
        company = conn.execute(
            "INSERT INTO identity.companies (name, owner_id) VALUES ('Acme', %s) RETURNING id",
            (user[0],),
        ).fetchone()
        assert company is not None
    return company[0], user[0]


def _endpoint(
    pool: ConnectionPool, deps: WebhookDeps, url: str
) -> tuple[uuid.UUID, str, uuid.UUID]:
    company, user = _owner(pool)
    with deps.transaction() as conn:
        made = webhooks.create_endpoint(
            conn, company, user, EndpointCreate(url=url, event_types=["candidate.decided"]), deps
        )
    assert made.secret is not None
    assert made.secret.startswith("whsec_")
    return made.id, made.secret, company


def _decided(pool: ConnectionPool, deps: WebhookDeps, company: uuid.UUID) -> list[uuid.UUID]:
    event = new_event(
        "candidate.decided",
        CandidateDecided(invitation_id=uuid.uuid4(), decision="advance", actor_id=uuid.uuid4()),
        source="interview-platform.interviews",
        correlation_id="t",
        tenant_id=company,
    )
    with deps.transaction() as conn:
        first = queue_for_event(conn, event)
        again = queue_for_event(conn, event)  # a redelivered event: no second delivery
    assert len(first) == 1
    assert again == []
    return first


def _verify(secret: str, hit: Any) -> dict[str, Any]:
    verified: dict[str, Any] = Webhook(secret).verify(hit.body, hit.headers)
    return verified


def _run_until_done(pool: ConnectionPool, deps: WebhookDeps, delivery_id: uuid.UUID) -> str:
    for _ in range(20):
        with pool.connection() as conn:
            conn.execute(
                "UPDATE notifications.webhook_deliveries SET next_attempt_at = now() WHERE id = %s"
                " AND status = 'pending'",
                (delivery_id,),
            )
            status = webhook_dal.delivery(conn, delivery_id).status
        if status != "pending":
            return status
        dispatch(None, deps)
    return "pending"


def test_failures_are_retried_until_the_receiver_recovers_every_attempt_signed(
    pool: ConnectionPool,
) -> None:
    deps = _deps(pool)
    with receiver(script=[500, 503, 500]) as hook:
        endpoint_id, secret, company = _endpoint(pool, deps, hook.url)
        [delivery_id] = _decided(pool, deps, company)
        dispatch([delivery_id], deps)
        assert _run_until_done(pool, deps, delivery_id) == "succeeded"
    assert len(hook.received) == 4
    bodies = [_verify(secret, hit) for hit in hook.received]
    assert {b["type"] for b in bodies} == {"candidate.decided"}
    assert {hit.headers["webhook-id"] for hit in hook.received} == {str(delivery_id)}
    with pool.connection() as conn:
        log = webhooks.list_deliveries(conn, company, endpoint_id, 10)
    assert [a.status_code for a in log.items[0].attempts] == [500, 503, 500, 200]
    assert log.items[0].attempts[0].response_excerpt == "answered 500"
    assert log.items[0].status == "succeeded"


def test_a_consumer_sends_every_delivery_it_queued_beyond_one_claim(
    pool: ConnectionPool,
) -> None:
    # Given one event for a company with 5 endpoints, and claims of 2 deliveries at most
    deps = _deps(pool, batch_size=2)
    with receiver() as hook:
        company, user = _owner(pool)
        with deps.transaction() as conn:
            for n in range(5):
                webhooks.create_endpoint(
                    conn,
                    company,
                    user,
                    EndpointCreate(url=f"{hook.url}/{n}", event_types=["candidate.decided"]),
                    deps,
                )
            event = new_event(
                "candidate.decided",
                CandidateDecided(
                    invitation_id=uuid.uuid4(), decision="advance", actor_id=uuid.uuid4()
                ),
                source="interview-platform.interviews",
                correlation_id="t",
                tenant_id=company,
            )
            queued = queue_for_event(conn, event)
        # When the consumer dispatches what it queued
        counts = dispatch(queued, deps)
    # Then all 5 were sent at once, none left for the sweep
    assert len(queued) == 5
    assert counts == {"succeeded": 5}
    assert sorted(hit.headers["webhook-id"] for hit in hook.received) == sorted(map(str, queued))
    with pool.connection() as conn:
        assert {webhook_dal.delivery(conn, d).status for d in queued} == {"succeeded"}


def test_a_410_disables_the_endpoint_and_nothing_more_is_sent(pool: ConnectionPool) -> None:
    deps = _deps(pool)
    with receiver(default_status=410) as hook:
        company, user = _owner(pool)
        with deps.transaction() as conn:
            made = webhooks.create_endpoint(
                conn,
                company,
                user,
                EndpointCreate(url=hook.url, event_types=["candidate.decided"]),
                deps,
            )
        [delivery_id] = _decided(pool, deps, company)
        dispatch([delivery_id], deps)
        dispatch(None, deps)
    assert len(hook.received) == 1
    with pool.connection() as conn:
        endpoint = webhook_dal.endpoint(conn, made.id, company)
        assert endpoint.status == "disabled"
        assert "410" in (endpoint.disabled_reason or "")
        mail = conn.execute(
            "SELECT kind, status FROM notifications.messages WHERE company_id = %s", (company,)
        ).fetchall()
    assert mail == [("webhook_disabled", "queued")]


def test_failing_for_days_disables_and_emails_the_owner(pool: ConnectionPool) -> None:
    deps = _deps(pool, webhook_disable_after_s=5 * 86400)
    with receiver(default_status=500) as hook:
        company, user = _owner(pool)
        with deps.transaction() as conn:
            made = webhooks.create_endpoint(
                conn,
                company,
                user,
                EndpointCreate(url=hook.url, event_types=["candidate.decided"]),
                deps,
            )
        with pool.connection() as conn:
            conn.execute(
                "UPDATE notifications.webhook_endpoints"
                " SET failing_since = now() - interval '6 days' WHERE id = %s",
                (made.id,),
            )
        [delivery_id] = _decided(pool, deps, company)
        dispatch([delivery_id], deps)
    with pool.connection() as conn:
        endpoint = webhook_dal.endpoint(conn, made.id, company)
        mail = conn.execute(
            "SELECT kind FROM notifications.messages WHERE company_id = %s", (company,)
        ).fetchall()
    assert endpoint.status == "disabled"
    assert "too long" in (endpoint.disabled_reason or "")
    assert mail == [("webhook_disabled",)]


def test_after_a_rotation_both_secrets_verify_until_the_overlap_ends(pool: ConnectionPool) -> None:
    deps = _deps(pool)
    with receiver() as hook:
        company, user = _owner(pool)
        with deps.transaction() as conn:
            made = webhooks.create_endpoint(
                conn,
                company,
                user,
                EndpointCreate(url=hook.url, event_types=["candidate.decided"]),
                deps,
            )
            rotated = webhooks.rotate_secret(conn, company, made.id, deps)
        assert made.secret
        assert rotated.secret
        assert made.secret != rotated.secret
        [delivery_id] = _decided(pool, deps, company)
        dispatch([delivery_id], deps)
    [hit] = hook.received
    assert len(hit.headers["webhook-signature"].split(" ")) == 2
    assert _verify(made.secret, hit)["type"] == "candidate.decided"
    assert _verify(rotated.secret, hit)["type"] == "candidate.decided"


@pytest.mark.parametrize(
    ("url", "resolved"),
    [
        ("http://169.254.169.254/latest/meta-data", ["169.254.169.254"]),
        ("http://10.0.0.1/hook", ["10.0.0.1"]),
        ("http://ats.example.com/hook", ["127.0.0.1"]),  # a name that resolves to loopback
        ("http://v6.example.com/hook", ["::ffff:10.1.2.3"]),
        ("http://both.example.com/hook", ["93.184.216.34", "192.168.1.5"]),
    ],
)
def test_private_addresses_are_refused_at_registration(
    pool: ConnectionPool, url: str, resolved: list[str]
) -> None:
    deps = _deps(pool, resolve=lambda host, port: resolved, webhook_allow_loopback=False)
    company, user = _owner(pool)
    with deps.transaction() as conn, pytest.raises(UnprocessableError, match="non-public"):
        webhooks.create_endpoint(
            conn, company, user, EndpointCreate(url=url, event_types=["candidate.decided"]), deps
        )


def test_https_is_required_outside_the_local_stage(pool: ConnectionPool) -> None:
    deps = _deps(pool, resolve=lambda h, p: ["93.184.216.34"], webhook_allow_http=False)
    company, user = _owner(pool)
    with deps.transaction() as conn, pytest.raises(UnprocessableError, match="https"):
        webhooks.create_endpoint(
            conn,
            company,
            user,
            EndpointCreate(url="http://ats.example.com/x", event_types=["candidate.decided"]),
            deps,
        )


def test_a_name_that_rebinds_to_loopback_is_refused_at_send_time(pool: ConnectionPool) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    deps = _deps(pool, resolve=lambda host, port: next(answers), webhook_allow_loopback=False)
    with receiver() as hook:
        company, user = _owner(pool)
        with deps.transaction() as conn:
            webhooks.create_endpoint(
                conn,
                company,
                user,
                EndpointCreate(
                    url=f"http://rebind.example.com:{hook.url.split(':')[2]}",
                    event_types=["candidate.decided"],
                ),
                deps,
            )
        [delivery_id] = _decided(pool, deps, company)
        dispatch([delivery_id], deps)
    assert hook.received == []  # nothing reached the loopback receiver
    with pool.connection() as conn:
        [attempt] = webhook_dal.attempts_of(conn, [delivery_id])
    assert attempt.status_code is None
    assert "non-public" in (attempt.error or "")
