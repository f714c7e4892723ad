"""Benchmark of the idempotent consumer: `make bench-consumer` -> bench/results/consumer.json.

The audit consumer's real composition (Powertools batch processor, envelope validation, one
PostgreSQL transaction per event that claims (event_id, consumer) then writes the audit row), run
in-process against the machine's PostgreSQL in a throwaway database, with SQS batches of 10
EventBridge-shaped messages. Measures:
  events_per_s         first deliveries processed per second (claim + audit insert + commit)
  duplicate_cost_ms    what one redelivered event costs (the claim finds the row: no effect)
  batch_p50_ms, batch_p95_ms   per batch of 10, first deliveries
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from bench._common import percentile, write_result
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.events import EventEnvelope, new_event
from shared.events.audit import AUDIT_CONSUMER, record_audit
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from shared.models.events.identity import UserSuspended
from shared.settings import DatabaseSettings

BATCH = 10
WARMUP_BATCHES = 20
BATCHES = 300


def _event() -> EventEnvelope:
    payload = UserSuspended(user_id=uuid.uuid4(), actor_id=uuid.uuid4(), reason="bench")
    return new_event(
        "user.suspended",
        payload,
        source="platform.identity",
        correlation_id=uuid.uuid4().hex,
        tenant_id=uuid.uuid4(),
    )


def _record(event: EventEnvelope) -> dict[str, Any]:
    body = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": event.event_type,
        "source": event.source,
        "account": "000000000000",
        "time": event.occurred_at.isoformat(),
        "region": "us-east-1",
        "resources": [],
        "detail": event.to_detail(),
    }
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "bench",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:bench",
        "awsRegion": "us-east-1",
    }


def _batches(count: int) -> list[dict[str, Any]]:
    return [{"Records": [_record(_event()) for _ in range(BATCH)]} for _ in range(count)]


def _run(consumer: EventConsumer[Any], batches: list[dict[str, Any]]) -> list[float]:
    timings = []
    for batch in batches:
        started = time.perf_counter()
        response = consumer.handle_batch(batch)
        timings.append((time.perf_counter() - started) * 1000)
        if response["batchItemFailures"]:
            raise SystemExit(f"unexpected failures: {response['batchItemFailures']}")
    return timings


def main() -> None:
    name = f"bench_consumer_{uuid.uuid4().hex[:8]}"
    admin = conninfo_for(DatabaseSettings(name="postgres", secret_arn=None))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        conninfo = conninfo_for(DatabaseSettings(name=name, secret_arn=None))
        migrate(conninfo)
        # One connection, as one Lambda environment has.
        with ConnectionPool(conninfo, min_size=1, max_size=1, open=True) as pool:

            @contextmanager
            def connect() -> Iterator[psycopg.Connection[Any]]:
                with pool.connection() as conn:
                    yield conn

            consumer = EventConsumer(AUDIT_CONSUMER, record_audit, PostgresDeduplicator(connect))
            _run(consumer, _batches(WARMUP_BATCHES))
            batches = _batches(BATCHES)
            first = _run(consumer, batches)
            duplicates = _run(consumer, batches)
            with pool.connection() as conn:
                row = conn.execute("SELECT count(*) FROM platform.audit_log").fetchone()
            expected = (WARMUP_BATCHES + BATCHES) * BATCH
            if row is None or row[0] != expected:
                raise SystemExit(f"audit rows {row} != {expected}: dedupe is broken")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    events = BATCHES * BATCH
    write_result(
        "consumer",
        {
            "events_per_s": events / (sum(first) / 1000),
            "duplicate_cost_ms": sum(duplicates) / events,
            "event_cost_ms": sum(first) / events,
            "batch_p50_ms": percentile(first, 50),
            "batch_p95_ms": percentile(first, 95),
            "duplicate_batch_p50_ms": percentile(duplicates, 50),
        },
    )


if __name__ == "__main__":
    main()
