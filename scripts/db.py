"""Local PostgreSQL: make sure it runs, create the database, apply migrations.

python -m scripts.db ensure     start PostgreSQL if needed, create the database
python -m scripts.db migrate    apply pending migrations
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.settings import DatabaseSettings, get_database_settings

DEADLINE_S = 30.0


def _admin_conninfo(settings: DatabaseSettings) -> str:
    return conninfo_for(settings.model_copy(update={"name": "postgres", "secret_arn": None}))


def _reachable(settings: DatabaseSettings) -> bool:
    try:
        with psycopg.connect(_admin_conninfo(settings), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _start_local_cluster() -> None:
    """Debian's pg_ctlcluster starts the machine's PostgreSQL (as the machine image does)."""
    if shutil.which("pg_ctlcluster") is None:
        raise SystemExit("PostgreSQL is not reachable and pg_ctlcluster is not installed")
    for version_dir in sorted(Path("/etc/postgresql").glob("*")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version_dir.name, "main", "start"],
            check=False,
        )


def ensure_database(settings: DatabaseSettings) -> None:
    if not _reachable(settings):
        _start_local_cluster()
        deadline = time.monotonic() + DEADLINE_S
        while not _reachable(settings):
            if time.monotonic() > deadline:
                raise SystemExit(f"PostgreSQL at {settings.host}:{settings.port} is not reachable")
            time.sleep(0.5)  # poll interval within the deadline
    with psycopg.connect(_admin_conninfo(settings), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (settings.name,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.name)))
            print(f"created database {settings.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["ensure", "migrate"])
    args = parser.parse_args()
    settings = get_database_settings()
    if args.command == "ensure":
        ensure_database(settings)
        print(f"database {settings.name} ready at {settings.host}:{settings.port}")
    else:
        applied = migrate(conninfo_for(settings))
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "none (up to date)"
        print(f"migrations applied: {names}")


if __name__ == "__main__":
    main()
