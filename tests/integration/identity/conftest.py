"""Identity integration fixtures: a migrated throwaway database and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.settings import DatabaseSettings

# Cheap argon2 parameters: these tests are about data, not hashing cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture
def conn(database_settings: DatabaseSettings) -> Iterator[psycopg.Connection[Any]]:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        yield connection
