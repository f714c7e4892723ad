"""Forward-only migration runner.

Each ``NNNN_name.sql`` in ``shared/dal/migrations`` is applied once, in order, and recorded with
its checksum in ``platform.schema_migrations``. A run is one transaction (PostgreSQL DDL is
transactional): if any file fails, nothing of the run stays, and the fixed run starts
clean. An applied file that changed, or a recorded migration that no longer exists, stops the
run: history is never rewritten. A transaction-level advisory lock makes concurrent runners
(two deploys, a Lambda and a developer) take turns instead of racing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_PATTERN = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
# Any constant works; it only has to be the same for every runner of this database.
_LOCK_KEY = 7_357_001


class MigrationError(Exception):
    """The database's history and the migration files disagree."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_snake.sql")
        migrations.append(
            Migration(int(match["version"]), match["name"], path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return migrations


_BOOKKEEPING = """
CREATE SCHEMA IF NOT EXISTS platform;
CREATE TABLE IF NOT EXISTS platform.schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


def migrate(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply what is pending; return what was applied now (empty when up to date)."""
    available = discover(directory)
    applied_now: list[Migration] = []
    with psycopg.connect(conninfo, autocommit=False) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_BOOKKEEPING)
        rows = conn.execute(
            "SELECT version, name, checksum FROM platform.schema_migrations ORDER BY version"
        ).fetchall()
        recorded = {int(v): (str(n), str(c)) for v, n, c in rows}
        by_version = {m.version: m for m in available}
        for version, (name, checksum) in recorded.items():
            local = by_version.get(version)
            if local is None:
                raise MigrationError(f"migration {version:04d}_{name} was applied but is gone")
            if local.checksum != checksum:
                raise MigrationError(
                    f"migration {version:04d}_{name} changed after it was applied; "
                    "add a new migration instead"
                )
        for migration in available:
            if migration.version in recorded:
                continue
            # A savepoint per file: the error names the file, and nothing half-applies.
            with conn.transaction():
                try:
                    conn.execute(migration.sql.encode())
                except psycopg.Error as exc:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                    ) from exc
                conn.execute(
                    "INSERT INTO platform.schema_migrations (version, name, checksum)"
                    " VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            applied_now.append(migration)
    return applied_now
