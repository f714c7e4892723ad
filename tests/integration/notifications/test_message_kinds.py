"""The database takes a message of every kind the code knows (its check lists them)."""

from __future__ import annotations

import uuid

import psycopg

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.notifications import dal
from shared.notifications.kinds import KINDS
from shared.settings import DatabaseSettings


def test_a_message_of_every_kind_can_be_queued(database_settings: DatabaseSettings) -> None:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with psycopg.connect(conninfo) as conn:
        for kind, spec in sorted(KINDS.items()):
            queued = dal.queue_message(
                conn,
                dedupe_key=f"itest:{uuid.uuid4()}",
                kind=kind,
                version=spec.version,
                recipient="grace@example.com",
                company_id=None,
                invitation_id=None,
                event_id=None,
                params={},
            )
            assert queued is not None, kind
