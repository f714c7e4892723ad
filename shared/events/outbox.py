"""The transactional outbox: producers write the event in the same transaction as their rows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from shared.events.envelope import EventEnvelope

_INSERT = """
INSERT INTO platform.outbox (event_id, event_type, tenant_id, envelope)
VALUES (%s, %s, %s, %s)
ON CONFLICT (event_id) DO NOTHING
"""


# The events enqueued by the unit of work in progress (see tracking_enqueued), if one tracks them.
_tracked: ContextVar[list[UUID] | None] = ContextVar("outbox_tracked", default=None)


def enqueue(conn: psycopg.Connection[Any], event: EventEnvelope) -> None:
    """Add ``event`` to the outbox inside the caller's transaction (never commits).

    Enqueueing the same event twice (a retried transaction) keeps one row.
    """
    conn.execute(
        _INSERT, (event.event_id, event.event_type, event.tenant_id, Jsonb(event.to_detail()))
    )
    tracked = _tracked.get()
    if tracked is not None:
        tracked.append(event.event_id)


@contextmanager
def tracking_enqueued() -> Iterator[list[UUID]]:
    """Collect the ids of the events enqueued inside this block (to relay them after commit)."""
    ids: list[UUID] = []
    token = _tracked.set(ids)
    try:
        yield ids
    finally:
        _tracked.reset(token)


# Oldest first; rows another relay holds are skipped, so two relays never publish the same row.
_CLAIM = """
SELECT event_id, envelope FROM platform.outbox
WHERE published_at IS NULL
  AND (%(ids)s::uuid[] IS NULL OR event_id = ANY(%(ids)s::uuid[]))
  AND NOT (event_id = ANY(%(skip)s::uuid[]))
ORDER BY created_at, event_id
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED
"""

_MARK_PUBLISHED = """
UPDATE platform.outbox
SET published_at = now(), attempts = attempts + 1, last_error = NULL
WHERE event_id = ANY(%s::uuid[]) AND published_at IS NULL
"""

_RECORD_FAILURE = """
UPDATE platform.outbox SET attempts = attempts + 1, last_error = left(%s, 2000)
WHERE event_id = %s AND published_at IS NULL
"""


def claim_unpublished(
    conn: psycopg.Connection[Any],
    *,
    limit: int,
    event_ids: Sequence[UUID] | None = None,
    skip: Sequence[UUID] = (),
) -> list[tuple[UUID, dict[str, Any]]]:
    """Lock up to ``limit`` unpublished rows (only ``event_ids`` when given) until commit."""
    rows = conn.execute(
        _CLAIM,
        {
            "ids": list(event_ids) if event_ids is not None else None,
            "skip": list(skip),
            "limit": limit,
        },
    ).fetchall()
    return [(UUID(str(row[0])), dict(row[1])) for row in rows]


def mark_published(conn: psycopg.Connection[Any], event_ids: Sequence[UUID]) -> int:
    """Idempotent: a row already marked keeps its first ``published_at``."""
    if not event_ids:
        return 0
    return conn.execute(_MARK_PUBLISHED, (list(event_ids),)).rowcount


def record_failures(conn: psycopg.Connection[Any], failures: Mapping[UUID, str]) -> None:
    for event_id, error in failures.items():
        conn.execute(_RECORD_FAILURE, (error, event_id))
