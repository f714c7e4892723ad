"""Outbox and relay against real PostgreSQL and LocalStack's EventBridge."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from shared.events import EventEnvelope, enqueue
from shared.events.publisher import EventBridgeClient, EventPublisher
from shared.events.relay import relay_after_commit, sweep, transaction_with_events
from tests.integration.events.conftest import BusToQueue
from tests.unit.events.builders import sample_event


def _outbox(pool: ConnectionPool) -> dict[UUID, tuple[Any, int]]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT event_id, published_at, attempts FROM platform.outbox"
        ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def _commit_events(pool: ConnectionPool, events: Sequence[EventEnvelope]) -> None:
    with pool.connection() as conn, conn.transaction():
        for event in events:
            enqueue(conn, event)


def test_enqueue_belongs_to_the_callers_transaction(pool: ConnectionPool) -> None:
    kept, rolled_back = sample_event(), sample_event()

    with pool.connection() as conn:
        with conn.transaction():
            enqueue(conn, kept)
            enqueue(conn, kept)  # a retried write keeps one row
        with conn.transaction(force_rollback=True):
            enqueue(conn, rolled_back)

    assert set(_outbox(pool)) == {kept.event_id}


def test_relay_after_commit_publishes_once_and_marks_published(
    pool: ConnectionPool, bus_to_queue: BusToQueue
) -> None:
    # Given three committed events in the outbox
    events = [sample_event(), sample_event("company.created"), sample_event("user.updated")]
    _commit_events(pool, events)
    publisher = EventPublisher(bus_to_queue.events, bus_to_queue.bus_name)
    ids = [e.event_id for e in events]

    # When the producer relays them, and relays them again
    first = relay_after_commit(pool, ids, publisher=publisher)
    again = relay_after_commit(pool, ids, publisher=publisher)

    # Then each was published once, is marked published, and arrived once
    assert (first.published, first.failed) == (3, 0)
    assert (again.published, again.failed) == (0, 0)
    rows = _outbox(pool)
    assert all(
        published_at is not None and attempts == 1 for published_at, attempts in rows.values()
    )
    messages = bus_to_queue.receive_all(expected=3)
    details = [json.loads(m["Body"])["detail"] for m in messages]
    assert sorted(d["eventId"] for d in details) == sorted(str(i) for i in ids)
    by_id = {d["eventId"]: d for d in details}
    assert by_id[str(events[1].event_id)] == events[1].to_detail()


class CountingClient:
    """The real LocalStack client, counting what each relay sent; every relay's first call
    waits at a barrier, so both relays hold their claimed rows at the same time."""

    def __init__(self, real: EventBridgeClient, parties: int) -> None:
        self._real = real
        self._barrier = threading.Barrier(parties, timeout=15)
        self._first_call = threading.local()
        self._lock = threading.Lock()
        self.sent: list[str] = []

    def put_events(self, *, Entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
        if not getattr(self._first_call, "done", False):
            self._first_call.done = True
            self._barrier.wait()  # BrokenBarrierError if one relay blocked on the other's rows
        with self._lock:
            self.sent.extend(json.loads(e["Detail"])["eventId"] for e in Entries)
        return self._real.put_events(Entries=Entries)


def test_two_concurrent_relays_publish_each_row_once(
    pool: ConnectionPool, bus_to_queue: BusToQueue
) -> None:
    # Given 40 unpublished events and two sweeps running at once
    events = [sample_event() for _ in range(40)]
    _commit_events(pool, events)
    client = CountingClient(bus_to_queue.events, parties=2)
    publisher = EventPublisher(client, bus_to_queue.bus_name)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sweep(pool, publisher, batch_size=5, deadline=time.monotonic() + 30)
        except BaseException as exc:
            errors.append(exc)

    # When they sweep concurrently
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every row was sent exactly once, and all are marked published
    assert errors == []
    assert sorted(client.sent) == sorted(str(e.event_id) for e in events)
    assert all(published_at is not None for published_at, _ in _outbox(pool).values())
    assert len(bus_to_queue.receive_all(expected=40, deadline_s=30)) == 40


class RefusingClient:
    """EventBridge refusing every entry (an outage seen through PutEvents' per-entry errors)."""

    def put_events(self, *, Entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
        return {
            "FailedEntryCount": len(Entries),
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "down"} for _ in Entries],
        }


def test_an_unpublished_event_stays_for_the_sweep(
    pool: ConnectionPool, bus_to_queue: BusToQueue
) -> None:
    # Given an event whose relay after commit hit a refusing bus
    event = sample_event()
    _commit_events(pool, [event])
    refused = relay_after_commit(
        pool,
        [event.event_id],
        publisher=EventPublisher(RefusingClient(), "x", max_attempts=2, base_delay_s=0),
    )
    published_at, attempts = _outbox(pool)[event.event_id]
    assert (refused.failed, published_at, attempts) == (1, None, 1)

    # When the scheduled sweep runs against the working bus
    report = sweep(
        pool,
        EventPublisher(bus_to_queue.events, bus_to_queue.bus_name),
        batch_size=10,
        deadline=time.monotonic() + 10,
    )

    # Then the event is published and marked
    assert report.published == 1
    assert _outbox(pool)[event.event_id][0] is not None
    with pool.connection() as conn:
        last_error = conn.execute("SELECT last_error FROM platform.outbox").fetchone()
    assert last_error == (None,)
    assert len(bus_to_queue.receive_all(expected=1)) == 1


def test_relay_refuses_to_run_inside_the_producers_transaction(pool: ConnectionPool) -> None:
    event = sample_event()
    publisher = EventPublisher(RefusingClient(), "never-called")

    with pool.connection() as conn, conn.transaction(force_rollback=True):
        enqueue(conn, event)
        with pytest.raises(RuntimeError, match="after the commit"):
            relay_after_commit(conn, [event.event_id], publisher=publisher)


def test_relay_after_commit_accepts_an_idle_connection(
    pool: ConnectionPool, bus_to_queue: BusToQueue
) -> None:
    event = sample_event()
    _commit_events(pool, [event])

    with pool.connection() as conn:
        report = relay_after_commit(
            conn,
            [event.event_id],
            publisher=EventPublisher(bus_to_queue.events, bus_to_queue.bus_name),
        )

    assert report.published == 1
    assert _outbox(pool)[event.event_id][0] is not None


def test_unit_of_work_publishes_its_events_right_after_commit(
    pool: ConnectionPool, bus_to_queue: BusToQueue
) -> None:
    publisher = EventPublisher(bus_to_queue.events, bus_to_queue.bus_name)
    event = sample_event()

    # When a use case commits a change with an event, inside the unit of work
    with transaction_with_events(pool, publisher) as conn:
        enqueue(conn, event)
        # Then before the commit no other connection sees it, so nothing can publish it
        assert event.event_id not in _outbox(pool)

    # Then it is published (and marked) as soon as the block returns, without a sweep
    published_at, attempts = _outbox(pool)[event.event_id]
    assert published_at is not None
    assert attempts == 1
    received = bus_to_queue.receive_all(expected=1)
    assert [json.loads(m["Body"])["detail"]["eventId"] for m in received] == [str(event.event_id)]


def test_unit_of_work_that_rolls_back_publishes_nothing(
    pool: ConnectionPool, bus_to_queue: BusToQueue
) -> None:
    publisher = EventPublisher(bus_to_queue.events, bus_to_queue.bus_name)
    event = sample_event()

    def failing_use_case() -> None:
        with transaction_with_events(pool, publisher) as conn:
            enqueue(conn, event)
            raise RuntimeError("use case failed")

    with pytest.raises(RuntimeError, match="use case failed"):
        failing_use_case()

    assert event.event_id not in _outbox(pool)
    assert bus_to_queue.receive_all(expected=0, deadline_s=2) == []
