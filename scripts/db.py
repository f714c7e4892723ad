"""Local PostgreSQL: make sure it runs, create the database, apply migrations.

python -m scripts.db ensure     start PostgreSQL if needed, create the database
python -m scripts.db migrate    apply pending migrations
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.settings import DatabaseSettings, get_database_settings

DEADLINE_S = 30.0
# Connection slots the local cluster needs. In AWS the functions reach PostgreSQL through RDS
# Proxy, which multiplexes them; locally every warm Lambda environment is a host process that
# holds its own connection (up to the pool's maximum, idle for up to a minute). The test suite
# warms ~80 functions and then races 50 logins: PostgreSQL's default of 100 slots ran out
# ("too many clients" -> the pool times out -> 503) and the race saw 503s instead of 401/429.
LOCAL_MAX_CONNECTIONS = 400


class ClusterNotFound(RuntimeError):
    """No Debian cluster listens on the stage's port (pg_lsclusters missing or no match)."""


@dataclass(frozen=True, slots=True)
class Cluster:
    version: str
    name: str
    port: int


def cluster_for_port(port: int) -> Cluster:
    """The Debian cluster listening on ``port`` (the one the stage uses)."""
    if shutil.which("pg_lsclusters") is None:
        raise ClusterNotFound("pg_lsclusters is not installed")
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listed.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == str(port):
            return Cluster(version=parts[0], name=parts[1], port=port)
    raise ClusterNotFound(f"no PostgreSQL cluster listens on port {port}")


def control_cluster(cluster: Cluster, action: str) -> None:
    """pg_ctlcluster start | stop (fast) | restart (fast) for one cluster."""
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", cluster.version, cluster.name, action]
    if action in {"stop", "restart"}:
        command += ["-m", "fast"]
    subprocess.run(command, check=False, capture_output=True)


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


def _wait_reachable(settings: DatabaseSettings) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not _reachable(settings):
        if time.monotonic() > deadline:
            raise SystemExit(f"PostgreSQL at {settings.host}:{settings.port} is not reachable")
        time.sleep(0.5)  # poll interval within the deadline


def ensure_connection_slots(settings: DatabaseSettings) -> None:
    """Raise a local cluster's max_connections to LOCAL_MAX_CONNECTIONS (once: ALTER SYSTEM and
    a restart, which that setting needs). A remote server is left as it is."""
    if settings.host not in {"127.0.0.1", "localhost", "::1"}:
        return
    with psycopg.connect(_admin_conninfo(settings), autocommit=True) as conn:
        row = conn.execute("SHOW max_connections").fetchone()
        if row is not None and int(row[0]) >= LOCAL_MAX_CONNECTIONS:
            return
        conn.execute(
            sql.SQL("ALTER SYSTEM SET max_connections = {}").format(
                sql.Literal(LOCAL_MAX_CONNECTIONS)
            )
        )
    try:
        cluster = cluster_for_port(settings.port)
    except ClusterNotFound as exc:
        print(f"max_connections set to {LOCAL_MAX_CONNECTIONS} for the next restart ({exc})")
        return
    control_cluster(cluster, "restart")
    _wait_reachable(settings)
    print(f"PostgreSQL {cluster.version}/{cluster.name}: max_connections {LOCAL_MAX_CONNECTIONS}")


def ensure_database(settings: DatabaseSettings) -> None:
    if not _reachable(settings):
        _start_local_cluster()
        _wait_reachable(settings)
    ensure_connection_slots(settings)
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
