"""The trigger against real PostgreSQL: one analysis per invitation, whatever the order of
invitation.completed and the media events, duplicates and concurrent deliveries included."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from psycopg_pool import ConnectionPool

from shared.analysis.trigger import TRIGGER_CONSUMER, on_event
from shared.events import EventEnvelope
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from tests.integration.analysis.fixtures import Interview, completed_event, interview, media_events


def _consumer(pool: ConnectionPool) -> EventConsumer[Any]:
    return EventConsumer(TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(lambda: pool))


def _body(envelope: EventEnvelope) -> str:
    return json.dumps({"detail-type": envelope.event_type, "detail": envelope.to_detail()})


def _started(pool: ConnectionPool, item: Interview) -> tuple[int, int]:
    """(analyses, analysis.started events in the outbox) for the interview."""
    with pool.connection() as conn:
        analyses = conn.execute(
            "SELECT count(*) FROM analysis.analyses WHERE invitation_id = %s", (item.invitation_id,)
        ).fetchone()
        started = conn.execute(
            "SELECT count(*) FROM platform.outbox WHERE event_type = 'analysis.started'"
            " AND envelope->'payload'->>'invitationId' = %s",
            (str(item.invitation_id),),
        ).fetchone()
    assert analyses is not None
    assert started is not None
    return int(analyses[0]), int(started[0])


def test_analysis_starts_when_the_last_media_event_arrives_after_completion(
    pool: ConnectionPool,
) -> None:
    # Given a completed interview with two media answers
    item = interview()
    consumer = _consumer(pool)
    first, second = media_events(item)
    # When completion and the first media event arrive
    consumer.handle_body(_body(completed_event(item)))
    consumer.handle_body(_body(first))
    # Then nothing starts yet
    assert _started(pool, item) == (0, 0)
    # When the last media event arrives
    consumer.handle_body(_body(second))
    # Then exactly one analysis starts
    assert _started(pool, item) == (1, 1)


def test_media_events_before_completion_start_the_analysis_on_completion(
    pool: ConnectionPool,
) -> None:
    item = interview()
    consumer = _consumer(pool)
    for event in media_events(item):
        consumer.handle_body(_body(event))
    assert _started(pool, item) == (0, 0)
    consumer.handle_body(_body(completed_event(item)))
    assert _started(pool, item) == (1, 1)


def test_duplicate_and_replayed_events_start_one_analysis(pool: ConnectionPool) -> None:
    # Given every event delivered twice, and completion published twice with new event ids
    item = interview()
    consumer = _consumer(pool)
    events = [completed_event(item), *media_events(item), completed_event(item)]
    # When they are processed out of order, each twice
    for event in [*reversed(events), *events]:
        consumer.handle_body(_body(event))
    # Then one analysis, one start
    assert _started(pool, item) == (1, 1)


def test_concurrent_deliveries_start_one_analysis(pool: ConnectionPool) -> None:
    # Given all of an interview's events, three copies each, delivered at the same moment
    item = interview(spoken=("one", "two", "three", "four"))
    events = [completed_event(item), *media_events(item)] * 3
    consumer = _consumer(pool)
    barrier = threading.Barrier(len(events))
    errors: list[BaseException] = []

    def deliver(event: EventEnvelope) -> None:
        barrier.wait()
        try:
            consumer.handle_body(_body(event))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then the row lock serialised them: one analysis, one start, no error
    assert errors == []
    assert _started(pool, item) == (1, 1)


def test_a_media_failure_does_not_block_the_analysis(pool: ConnectionPool) -> None:
    item = interview()
    consumer = _consumer(pool)
    failed = {item.upload_ids[0]}
    consumer.handle_body(_body(completed_event(item)))
    for event in media_events(item, failed=failed):
        consumer.handle_body(_body(event))
    assert _started(pool, item) == (1, 1)
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT status, reason FROM analysis.media_outcomes WHERE upload_id = %s",
            (item.upload_ids[0],),
        ).fetchone()
    assert row is not None
    assert row[0] == "failed"
    assert "not a video" in row[1]


def test_another_tenants_media_event_cannot_complete_an_invitation(pool: ConnectionPool) -> None:
    # Given a completed invitation of company A waiting for one upload
    item = interview(spoken=("only one answer",))
    consumer = _consumer(pool)
    consumer.handle_body(_body(completed_event(item)))
    # When company B's event names that upload
    forged = media_events(Interview(uuid.uuid4(), item.completed, item.transcripts))[0]
    consumer.handle_body(_body(forged))
    # Then nothing starts
    assert _started(pool, item) == (0, 0)
