"""Analysis integration fixtures: a migrated throwaway database with a pool, and the workflow's
dependencies wired to it (transactions without the bus: events stay in the outbox to inspect)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from psycopg_pool import ConnectionPool

from shared.analysis.engine_offline import OfflineEngine
from shared.analysis.settings import AnalysisSettings
from shared.analysis.transcripts import media_transcript
from shared.analysis.workflow import Deps, Engine
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.dal.sql import Conn
from shared.settings import DatabaseSettings


@pytest.fixture
def pool(database_settings: DatabaseSettings) -> Iterator[ConnectionPool]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with ConnectionPool(conninfo, min_size=1, max_size=8, open=True, name="itest") as opened:
        yield opened


def deps_for(pool: ConnectionPool, engine: Engine | None = None) -> Deps:
    @contextmanager
    def transaction() -> Iterator[Conn]:
        with pool.connection() as conn, conn.transaction():
            yield conn

    chosen = engine or OfflineEngine()
    return Deps(
        transaction=transaction,
        engine_for=lambda _name: chosen,
        transcripts=media_transcript,
        settings=AnalysisSettings(max_rate_limit_waits=2),
        rng=random.Random(7),
    )
