"""The analysis sweep restarts a trigger left waiting (issue 13, finding 7): the media events
never reached the trigger (an outage sent them to its DLQ), but the media did finish; the sweep
reads the media's rows back and starts exactly one analysis."""

from __future__ import annotations

import json
from typing import Any

from psycopg_pool import ConnectionPool

from shared.analysis.sweep import restart_waiting
from shared.analysis.trigger import TRIGGER_CONSUMER, on_event
from shared.events.consumer import EventConsumer, PostgresDeduplicator
from tests.integration.analysis.conftest import deps_for
from tests.integration.analysis.fixtures import completed_event, insert_transcripts, interview


def _counts(pool: ConnectionPool, invitation_id: object) -> tuple[int, int]:
    with pool.connection() as conn:
        analyses = conn.execute(
            "SELECT count(*) FROM analysis.analyses WHERE invitation_id = %s", (invitation_id,)
        ).fetchone()
        started = conn.execute(
            "SELECT count(*) FROM platform.outbox WHERE event_type = 'analysis.started'"
            " AND envelope->'payload'->>'invitationId' = %s",
            (str(invitation_id),),
        ).fetchone()
    assert analyses is not None
    assert started is not None
    return int(analyses[0]), int(started[0])


def test_a_trigger_waiting_for_finished_media_is_started_once_by_the_sweep(
    pool: ConnectionPool,
) -> None:
    # Given a completed interview whose media finished but whose media events were lost
    item = interview()
    consumer: EventConsumer[Any] = EventConsumer(
        TRIGGER_CONSUMER, on_event, PostgresDeduplicator.from_pool(lambda: pool)
    )
    event = completed_event(item)
    consumer.handle_body(json.dumps({"detail-type": event.event_type, "detail": event.to_detail()}))
    assert _counts(pool, item.invitation_id) == (0, 0)
    deps = deps_for(pool)
    # When the sweep runs before the trigger is old enough, nothing happens
    assert restart_waiting(deps, min_age_s=3600, limit=10) == 0
    # And while the media is still unfinished, nothing starts either
    assert restart_waiting(deps, min_age_s=0, limit=10) == 0
    assert _counts(pool, item.invitation_id) == (0, 0)
    # When the media is ready (its rows say so) and the sweep runs twice
    with pool.connection() as conn:
        insert_transcripts(conn, item)
    started = restart_waiting(deps, min_age_s=0, limit=10)
    again = restart_waiting(deps, min_age_s=0, limit=10)
    # Then exactly one analysis started, with one analysis.started
    assert started == 1
    assert again == 0
    assert _counts(pool, item.invitation_id) == (1, 1)
