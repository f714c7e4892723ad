"""Identity events leave through the outbox right after the commit and reach the audit log."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings
from tests.e2e.identity_actors import make_user

AUDIT_DEADLINE_S = 45.0


def _query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conninfo = conninfo_for(DatabaseSettings(name=localenv.DB_NAME, secret_arn=None))
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql, params).fetchall()


def test_registration_event_is_published_before_the_response_returns(api: httpx.Client) -> None:
    user_id = make_user(api, "events", None).user_id

    # The request's own relay published it: no wait for the once-a-minute sweep.
    rows = _query(
        "SELECT event_id, published_at FROM platform.outbox"
        " WHERE event_type = 'user.registered' AND envelope -> 'payload' ->> 'userId' = %s",
        user_id,
    )
    assert len(rows) == 1
    event_id, published_at = rows[0]
    assert published_at is not None

    # And the audit consumer records it exactly once, through bus -> SQS -> Lambda.
    deadline = time.monotonic() + AUDIT_DEADLINE_S
    audit: list[tuple[Any, ...]] = []
    while time.monotonic() < deadline and not audit:
        audit = _query("SELECT event_type FROM platform.audit_log WHERE event_id = %s", event_id)
        if not audit:
            time.sleep(0.5)  # poll interval within the deadline
    assert audit == [("user.registered",)]
