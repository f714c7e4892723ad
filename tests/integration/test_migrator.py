"""The migration runner against real PostgreSQL: forward-only, once each, all or nothing."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from shared.dal.db import conninfo_for
from shared.dal.migrator import MIGRATIONS_DIR, MigrationError, migrate
from shared.settings import DatabaseSettings

CONTEXT_SCHEMAS = {"identity", "interviews", "media", "analysis"}


def _schemas(conninfo: str) -> set[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace").fetchall()
    return {str(r[0]) for r in rows}


def _recorded(conninfo: str) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT version FROM platform.schema_migrations ORDER BY 1").fetchall()
    return [int(r[0]) for r in rows]


def test_fresh_database_gets_one_schema_per_context(database_settings: DatabaseSettings) -> None:
    conninfo = conninfo_for(database_settings)

    applied = migrate(conninfo)

    assert applied[0].version == 1
    assert _schemas(conninfo) >= CONTEXT_SCHEMAS


def test_second_run_applies_nothing(database_settings: DatabaseSettings) -> None:
    conninfo = conninfo_for(database_settings)
    first = migrate(conninfo)

    second = migrate(conninfo)

    assert first
    assert second == []
    assert _recorded(conninfo) == [m.version for m in first]


def test_changed_applied_migration_stops_the_run(
    database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    conninfo = conninfo_for(database_settings)
    shutil.copytree(MIGRATIONS_DIR, tmp_path, dirs_exist_ok=True)
    migrate(conninfo, tmp_path)
    first = sorted(tmp_path.glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\nCREATE SCHEMA sneaky;\n")

    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(conninfo, tmp_path)
    assert "sneaky" not in _schemas(conninfo)


def test_failing_migration_leaves_nothing_half_applied(
    database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    conninfo = conninfo_for(database_settings)
    (tmp_path / "0001_ok.sql").write_text("CREATE SCHEMA good_one;")
    (tmp_path / "0002_bad.sql").write_text(
        "CREATE SCHEMA half_done; CREATE TABLE half_done.t (id int); SELECT * FROM nowhere;"
    )

    with pytest.raises(MigrationError, match="0002_bad failed"):
        migrate(conninfo, tmp_path)

    schemas = _schemas(conninfo)
    assert "half_done" not in schemas
    # The whole run is one transaction: a failed run records nothing, so it can be rerun fixed.
    assert "good_one" not in schemas


def test_concurrent_runners_apply_each_migration_once(
    database_settings: DatabaseSettings,
) -> None:
    conninfo = conninfo_for(database_settings)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: migrate(conninfo), range(3)))

    assert sorted(len(r) for r in results)[:2] == [0, 0]
    assert _recorded(conninfo) == [m.version for m in max(results, key=len)]
