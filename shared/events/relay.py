"""The relay: moves outbox rows onto the bus and marks them published.

Two ways in: right after a producer commits (:func:`relay_after_commit`, just that producer's
events) and the scheduled sweep (:func:`sweep`, anything left, oldest first). Rows are claimed
with ``FOR UPDATE SKIP LOCKED`` and stay locked while they are published, so concurrent relays
never publish the same row; a crash after publishing but before the commit publishes the row
again later, which consumers absorb (they dedupe on the event id). Nothing is lost: a row stays
until EventBridge has accepted it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg_pool import ConnectionPool
from pydantic import ValidationError

from shared.events import outbox
from shared.events.envelope import EventEnvelope
from shared.events.publisher import EventPublisher
from shared.observability import logger


@dataclass(slots=True)
class RelayReport:
    published: int = 0
    failed: int = 0
    batches: int = 0
    failed_ids: list[UUID] = field(default_factory=list)

    def add(self, other: RelayReport) -> None:
        self.published += other.published
        self.failed += other.failed
        self.batches += other.batches
        self.failed_ids.extend(other.failed_ids)


def relay_batch(
    conn: psycopg.Connection[Any],
    publisher: EventPublisher,
    *,
    limit: int,
    event_ids: Sequence[UUID] | None = None,
    skip: Sequence[UUID] = (),
) -> RelayReport:
    """Claim, publish and mark one batch, in one transaction on ``conn``."""
    with conn.transaction():
        rows = outbox.claim_unpublished(conn, limit=limit, event_ids=event_ids, skip=skip)
        if not rows:
            return RelayReport()
        events: list[EventEnvelope] = []
        failures: dict[UUID, str] = {}
        for event_id, document in rows:
            try:
                events.append(EventEnvelope.model_validate(document))
            except ValidationError as exc:
                failures[event_id] = f"invalid envelope in the outbox: {exc.error_count()} errors"
        result = publisher.publish(events)
        failures.update(result.failed)
        outbox.mark_published(conn, result.published)
        outbox.record_failures(conn, failures)
    if failures:
        logger.warning(
            "outbox rows not published; the sweep retries them",
            extra={"failed": {str(k): v for k, v in failures.items()}},
        )
    return RelayReport(
        published=len(result.published),
        failed=len(failures),
        batches=1,
        failed_ids=list(failures),
    )


def relay_after_commit(
    pool_or_conn: ConnectionPool | psycopg.Connection[Any],
    event_ids: Sequence[UUID],
    *,
    publisher: EventPublisher | None = None,
) -> RelayReport:
    """Publish just these (committed) events now, once and briefly (the default publisher is
    :func:`~shared.events.clients.after_commit_publisher`). Never raises for a database or bus
    problem: the producer's work is committed, and the scheduled sweep publishes whatever is
    left."""
    if not event_ids:
        return RelayReport()
    if (
        isinstance(pool_or_conn, psycopg.Connection)
        and pool_or_conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
    ):
        # Publishing from inside the producer's transaction could announce rows it then rolls back.
        raise RuntimeError(
            "relay_after_commit runs after the commit: this connection is mid-transaction"
        )
    if publisher is None:
        from shared.events.clients import after_commit_publisher  # noqa: PLC0415 - boto3 on demand

        publisher = after_commit_publisher()
    try:
        if isinstance(pool_or_conn, ConnectionPool):
            with pool_or_conn.connection() as conn:
                return relay_batch(conn, publisher, limit=len(event_ids), event_ids=event_ids)
        return relay_batch(pool_or_conn, publisher, limit=len(event_ids), event_ids=event_ids)
    except psycopg.Error:
        logger.exception("relay after commit failed; the sweep will publish these events")
        return RelayReport(failed=len(event_ids), failed_ids=list(event_ids))


def sweep(
    pool: ConnectionPool,
    publisher: EventPublisher,
    *,
    batch_size: int,
    deadline: float,
) -> RelayReport:
    """Publish everything left in the outbox, oldest first, until done or ``deadline``
    (a ``time.monotonic()`` value). Rows failing in this run are not retried in the same run."""
    report = RelayReport()
    tried_and_failed: list[UUID] = []
    with pool.connection() as conn:
        while time.monotonic() < deadline:
            batch = relay_batch(conn, publisher, limit=batch_size, skip=tried_and_failed)
            report.add(batch)
            tried_and_failed.extend(batch.failed_ids)
            if batch.published + batch.failed < batch_size:
                break
    return report


@contextmanager
def transaction_with_events(
    pool: ConnectionPool, publisher: EventPublisher | None = None
) -> Iterator[psycopg.Connection[Any]]:
    """One use case's transaction; the events it enqueued are published right after the commit.

    A rollback publishes nothing. Publishing is best effort: whatever fails stays in the outbox
    for the scheduled sweep, and the caller's committed work is never turned into an error.
    """
    with outbox.tracking_enqueued() as event_ids, pool.connection() as conn, conn.transaction():
        yield conn
    if event_ids:
        try:
            relay_after_commit(pool, event_ids, publisher=publisher)
        # The sweep is the guarantee; the use case already committed and must not fail now.
        except Exception:
            logger.exception("relay after commit failed; the sweep will publish these events")
