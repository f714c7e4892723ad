"""PostgreSQL: connection settings and one connection pool per process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from shared.dal.outage import as_dependency_error
from shared.dal.sql import Conn
from shared.settings import DatabaseSettings, get_database_settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class DatabaseSecret(BaseModel):
    """The RDS secret format (what Secrets Manager holds for a database)."""

    host: str
    port: int = Field(default=5432, ge=1, le=65535)
    username: str
    password: str = ""
    dbname: str


def conninfo_for(settings: DatabaseSettings, secrets: SecretsManagerClient | None = None) -> str:
    """Build a libpq connection string from settings, resolving the secret when one is named."""
    if settings.secret_arn:
        if secrets is None:
            # Lazy: boto3 is only imported by functions that resolve a secret.
            from shared.dal.aws import secrets_client  # noqa: PLC0415

            secrets = secrets_client()
        raw = secrets.get_secret_value(SecretId=settings.secret_arn)["SecretString"]
        secret = DatabaseSecret.model_validate(json.loads(raw))
        host, port, user, dbname = secret.host, secret.port, secret.username, secret.dbname
        host = settings.proxy_host or host
        password = secret.password or None
    else:
        host, port, user, dbname = settings.host, settings.port, settings.user, settings.name
        password = settings.password.get_secret_value() if settings.password else None
    params: dict[str, str | int] = {
        "host": host,
        "port": port,
        "user": user,
        "dbname": dbname,
        "sslmode": settings.sslmode,
        "connect_timeout": settings.connect_timeout_s,
        "application_name": "interview-platform",
    }
    if password:
        params["password"] = password
    return make_conninfo(**params)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def get_pool() -> ConnectionPool:
    """The process's pool: opened lazily, reused by every warm invocation."""
    settings = get_database_settings()
    pool = ConnectionPool(
        conninfo_for(settings),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        # Idle connections are closed after a minute: dozens of warm functions must not hold
        # PostgreSQL's connection slots while they wait for traffic.
        max_idle=settings.pool_max_idle_s,
        timeout=settings.connect_timeout_s,
        reconnect_timeout=settings.pool_reconnect_timeout_s,
        # A Lambda may sit frozen for minutes; check a connection before handing it out.
        check=ConnectionPool.check_connection,
        open=False,
        name="platform",
    )
    pool.open(wait=False)
    return pool


@contextmanager
def transaction() -> Iterator[Conn]:
    """A use case's transaction on the process's pool; the events it enqueued are relayed right
    after the commit.

    PostgreSQL not answering (no connection within the timeout, a connection lost mid-way)
    leaves as :class:`~shared.errors.DependencyUnavailable`: 503 with ``Retry-After`` at the
    HTTP edge, the error a workflow's retry policy names in a step.
    """
    from shared.events.relay import transaction_with_events  # noqa: PLC0415 - the relay only where events are written

    try:
        with transaction_with_events(get_pool()) as conn:
            yield conn
    except Exception as exc:
        mapped = as_dependency_error(exc)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc
