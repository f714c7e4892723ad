"""Through the deployed stack: our bus -> rule -> audit queue -> Lambda (ESM) -> PostgreSQL,
and the dead-letter path: a failing cause, five receives, the DLQ, a fix, the redrive."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest

from scripts import localenv
from scripts.redrive import depth
from shared.dal.db import conninfo_for
from shared.events import EventEnvelope, enqueue
from shared.events.publisher import EventPublisher
from shared.settings import DatabaseSettings
from tests.unit.events.builders import sample_event

DEADLINE_S = 90.0


def poll[T](probe: Callable[[], T | None], deadline_s: float = DEADLINE_S, what: str = "") -> T:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.5)  # poll interval within the deadline
    raise AssertionError(f"timed out after {deadline_s}s waiting for {what}")


@pytest.fixture(scope="module")
def db() -> Iterator[psycopg.Connection[Any]]:
    settings = DatabaseSettings(name=localenv.DB_NAME, secret_arn=None)
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def sqs() -> Any:
    return localenv.client("sqs")


@pytest.fixture(scope="module")
def publisher(outputs: dict[str, str]) -> EventPublisher:
    return EventPublisher(localenv.client("events"), outputs["EventBusName"])


@pytest.fixture
def cleanup(db: psycopg.Connection[Any]) -> Iterator[list[UUID]]:
    event_ids: list[UUID] = []
    yield event_ids
    db.execute("DELETE FROM platform.audit_log WHERE event_id = ANY(%s)", (event_ids,))
    db.execute("DELETE FROM platform.processed_events WHERE event_id = ANY(%s)", (event_ids,))
    db.execute("DELETE FROM platform.outbox WHERE event_id = ANY(%s)", (event_ids,))


def _audit_count(db: psycopg.Connection[Any], event_id: UUID) -> int:
    row = db.execute(
        "SELECT count(*) FROM platform.audit_log WHERE event_id = %s", (event_id,)
    ).fetchone()
    return int(row[0]) if row else 0


def _in_dlq(sqs: Any, dlq_url: str, event: EventEnvelope) -> bool | None:
    # VisibilityTimeout=0: looking must not hide the message from the redrive that follows.
    messages = sqs.receive_message(
        QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1
    ).get("Messages", [])
    ids = {json.loads(m["Body"])["detail"].get("eventId") for m in messages}
    return True if str(event.event_id) in ids else None


def test_an_event_put_three_times_lands_in_the_audit_log_once(
    outputs: dict[str, str],
    db: psycopg.Connection[Any],
    sqs: Any,
    publisher: EventPublisher,
    cleanup: list[UUID],
) -> None:
    # Given an identity event
    event = sample_event("user.suspended")
    cleanup.append(event.event_id)

    # When it is put on the bus three times (a relay retrying, a sweep racing it)
    for _ in range(3):
        assert publisher.publish([event]).failed == {}

    # Then the audit log has it once, after every delivery was consumed
    poll(lambda: _audit_count(db, event.event_id) or None, what="the audit row")
    poll(
        lambda: True if depth(sqs, outputs["AuditQueueUrl"]) == 0 else None,
        what="the audit queue to drain",
    )
    assert _audit_count(db, event.event_id) == 1
    claims = db.execute(
        "SELECT consumer FROM platform.processed_events WHERE event_id = %s", (event.event_id,)
    ).fetchall()
    assert claims == [("audit-log",)]


def test_a_failing_event_is_dead_lettered_then_redriven_once_fixed(
    outputs: dict[str, str],
    db: psycopg.Connection[Any],
    sqs: Any,
    publisher: EventPublisher,
    cleanup: list[UUID],
) -> None:
    # Given the audit log refuses one event (the cause: a trigger raising for its id)
    event = sample_event("user.deleted")
    cleanup.append(event.event_id)
    suffix = event.event_id.hex[:12]
    function, trigger = f"platform.e2e_refuse_{suffix}", f"e2e_refuse_{suffix}"
    db.execute(
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
        f" IF NEW.event_id = '{event.event_id}' THEN RAISE EXCEPTION 'e2e cause'; END IF;"
        " RETURN NEW; END$$"
    )
    db.execute(
        f"CREATE TRIGGER {trigger} BEFORE INSERT ON platform.audit_log"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()"
    )
    try:
        # When it is published
        started = time.monotonic()
        assert publisher.publish([event]).failed == {}

        # Then after five failed receives it is in the dead-letter queue, not in the log
        poll(lambda: _in_dlq(sqs, outputs["AuditDlqUrl"], event), what="the dead letter")
        dead_lettered_after_s = time.monotonic() - started
        assert _audit_count(db, event.event_id) == 0
    finally:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger} ON platform.audit_log")
        db.execute(f"DROP FUNCTION IF EXISTS {function}()")

    # When the cause is fixed (trigger dropped) and ops run the redrive command
    redrive = subprocess.run(
        [sys.executable, "-m", "scripts.redrive", "AuditQueueUrl"],
        cwd=localenv.ROOT,
        env=localenv.local_env(),
        capture_output=True,
        text=True,
        check=True,
    )

    # Then it is processed exactly once, and the DLQ no longer holds it
    assert "moved 1 messages" in redrive.stdout, redrive.stdout
    poll(lambda: _audit_count(db, event.event_id) or None, what="the redriven audit row")
    poll(
        lambda: True if depth(sqs, outputs["AuditQueueUrl"]) == 0 else None,
        what="the audit queue to drain",
    )
    assert _audit_count(db, event.event_id) == 1
    assert _in_dlq(sqs, outputs["AuditDlqUrl"], event) is None
    assert dead_lettered_after_s < 60


def test_an_outbox_row_reaches_the_audit_log_through_the_relay_function(
    outputs: dict[str, str],
    db: psycopg.Connection[Any],
    lambda_client: Any,
    cleanup: list[UUID],
) -> None:
    # Given a producer committed an event to the outbox (and its own relay never ran)
    event = sample_event("company.member_added")
    cleanup.append(event.event_id)
    with db.transaction():
        enqueue(db, event)

    # When the scheduled sweep function runs
    answer = lambda_client.invoke(FunctionName=outputs["OutboxRelayFunctionName"])
    report = json.loads(answer["Payload"].read())

    # Then the row is marked published and the event is in the audit log once
    assert "FunctionError" not in answer, report
    assert report["failed"] == 0
    published = db.execute(
        "SELECT published_at FROM platform.outbox WHERE event_id = %s", (event.event_id,)
    ).fetchone()
    assert published is not None
    assert published[0] is not None
    poll(lambda: _audit_count(db, event.event_id) or None, what="the relayed audit row")
    assert _audit_count(db, event.event_id) == 1
