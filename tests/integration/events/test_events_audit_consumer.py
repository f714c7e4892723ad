"""The audit consumer in-process: real PostgreSQL, messages as EventBridge really delivers them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from shared.events.audit import AUDIT_CONSUMER, record_audit
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.events.publisher import EventPublisher
from tests.integration.events.conftest import BusToQueue
from tests.unit.events.builders import FakeLambdaContext, sample_event, sqs_record


@pytest.fixture
def audit(pool: ConnectionPool) -> EventConsumer[psycopg.Connection[Any]]:
    @contextmanager
    def connect() -> Iterator[psycopg.Connection[Any]]:
        with pool.connection() as conn:
            yield conn

    # The composition functions/platform/audit_consumer/handler.py uses, on the test's database.
    return EventConsumer(AUDIT_CONSUMER, record_audit, PostgresDeduplicator(connect))


def _audit_rows(pool: ConnectionPool) -> list[tuple[Any, ...]]:
    with pool.connection() as conn:
        return conn.execute(
            "SELECT event_id, event_type, tenant_id, actor_id, envelope FROM platform.audit_log"
        ).fetchall()


def _delivered_bodies(bus_to_queue: BusToQueue, count: int) -> list[str]:
    """Publish ``count`` events on a real bus; return the SQS bodies its rule delivered."""
    events = [sample_event() for _ in range(count)]
    result = EventPublisher(bus_to_queue.events, bus_to_queue.bus_name).publish(events)
    assert result.failed == {}
    return [m["Body"] for m in bus_to_queue.receive_all(expected=count)]


def test_the_same_event_three_times_makes_one_audit_row(
    pool: ConnectionPool,
    bus_to_queue: BusToQueue,
    audit: EventConsumer[psycopg.Connection[Any]],
) -> None:
    # Given a message EventBridge really delivered, in one batch three times (redeliveries)
    (body,) = _delivered_bodies(bus_to_queue, 1)
    batch = {"Records": [sqs_record(body) for _ in range(3)]}

    # When the audit consumer handles the batch, and the same batch again
    first = audit.handle_batch(batch, FakeLambdaContext())  # type: ignore[arg-type]
    second = audit.handle_batch(batch, FakeLambdaContext())  # type: ignore[arg-type]

    # Then nothing failed, and there is one audit row with the actor
    assert first == second == {"batchItemFailures": []}
    rows = _audit_rows(pool)
    detail = json.loads(body)["detail"]
    assert len(rows) == 1
    event_id, event_type, tenant_id, actor_id, envelope = rows[0]
    assert (str(event_id), event_type) == (detail["eventId"], "user.suspended")
    assert str(tenant_id) == detail["tenantId"]
    assert str(actor_id) == detail["payload"]["actorId"]
    assert envelope == detail
    with pool.connection() as conn:
        claims = conn.execute("SELECT consumer FROM platform.processed_events").fetchall()
    assert claims == [(AUDIT_CONSUMER,)]


def test_a_poison_message_is_reported_while_the_others_succeed(
    pool: ConnectionPool,
    bus_to_queue: BusToQueue,
    audit: EventConsumer[psycopg.Connection[Any]],
) -> None:
    # Given two delivered events and, between them, a message whose detail is not an envelope
    good = _delivered_bodies(bus_to_queue, 2)
    poison_message = json.loads(good[0])
    poison_message["detail"] = {"hello": "world"}
    records = [sqs_record(good[0]), sqs_record(json.dumps(poison_message)), sqs_record(good[1])]

    # When the consumer handles the batch
    response = audit.handle_batch({"Records": records}, FakeLambdaContext())  # type: ignore[arg-type]

    # Then only the poison message is reported, and both good events are in the audit log
    assert response == {"batchItemFailures": [{"itemIdentifier": records[1]["messageId"]}]}
    assert len(_audit_rows(pool)) == 2


def test_a_failing_effect_rolls_back_its_claim(
    pool: ConnectionPool,
    bus_to_queue: BusToQueue,
    audit: EventConsumer[psycopg.Connection[Any]],
) -> None:
    # Given the audit table refuses writes (its cause: a trigger that raises)
    (body,) = _delivered_bodies(bus_to_queue, 1)
    with pool.connection() as conn:
        conn.execute(
            "CREATE FUNCTION platform.refuse() RETURNS trigger LANGUAGE plpgsql AS"
            " $$BEGIN RAISE EXCEPTION 'refused by test'; END$$"
        )
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON platform.audit_log"
            " FOR EACH ROW EXECUTE FUNCTION platform.refuse()"
        )
    record = sqs_record(body)

    # When the message is handled, then the cause is removed and it is redelivered
    failed = audit.handle_batch({"Records": [record]}, FakeLambdaContext())  # type: ignore[arg-type]
    with pool.connection() as conn:
        conn.execute("DROP TRIGGER refuse ON platform.audit_log")
        conn.execute("DROP FUNCTION platform.refuse()")
    redelivered = audit.handle_batch({"Records": [record]}, FakeLambdaContext())  # type: ignore[arg-type]

    # Then the first delivery failed without a claim left behind, and the redelivery wrote it
    assert failed == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    assert redelivered == {"batchItemFailures": []}
    assert len(_audit_rows(pool)) == 1
