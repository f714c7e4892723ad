"""Integration fixtures: a throwaway PostgreSQL database, LocalStack clients."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from scripts import localenv
from shared.dal.db import conninfo_for
from shared.settings import DatabaseSettings

LOCALSTACK = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(conninfo_for(DatabaseSettings(name="postgres")), autocommit=True)


@pytest.fixture
def database_settings() -> Iterator[DatabaseSettings]:
    """A database of its own for one test, dropped afterwards."""
    name = f"itest_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield DatabaseSettings(name=name, secret_arn=None)
    finally:
        with _admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def s3() -> object:
    return localenv.client("s3", LOCALSTACK)


@pytest.fixture
def bucket(s3: object) -> Iterator[str]:
    name = f"itest-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)  # type: ignore[attr-defined]
    try:
        yield name
    finally:
        s3.delete_bucket(Bucket=name)  # type: ignore[attr-defined]
