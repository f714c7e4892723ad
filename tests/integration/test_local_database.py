"""The local PostgreSQL as `make up` leaves it: enough connection slots for every warm host-process
Lambda environment (RDS Proxy's job in AWS), so a burst of parallel requests is not refused."""

from __future__ import annotations

import psycopg

from scripts.db import LOCAL_MAX_CONNECTIONS, ensure_connection_slots
from shared.dal.db import conninfo_for
from shared.settings import get_database_settings


def _max_connections() -> int:
    with psycopg.connect(conninfo_for(get_database_settings())) as conn:
        row = conn.execute("SHOW max_connections").fetchone()
    assert row is not None
    return int(row[0])


def test_the_local_cluster_has_the_slots_the_stack_needs() -> None:
    # Given the stack set up by `make up` (scripts.db ensure) / When its cluster is asked
    # Then it has at least the slots the login race and the warm functions need
    assert _max_connections() >= LOCAL_MAX_CONNECTIONS


def test_ensuring_the_slots_again_changes_nothing() -> None:
    # Given a cluster that already has them / When ensured again (every `make up` does)
    before = _max_connections()
    ensure_connection_slots(get_database_settings())

    # Then no restart was needed and the setting is unchanged
    assert _max_connections() == before
