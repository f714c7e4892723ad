"""Benchmark of login: `make bench-login` -> bench/results/login.json.

Measures:
  login_p50_ms, login_p95_ms   in-process login (accounts.login against a throwaway PostgreSQL
                               database) with the production argon2id parameters (RFC 9106's
                               second recommendation: t=3, m=64 MiB, p=4), over 40 logins
  authorizer_import_ms         import of the authorizer handler (python -X importtime, median of 5)
  login_import_ms              import of the login handler (same)
"""

from __future__ import annotations

import time
import uuid

import psycopg
from cryptography.hazmat.primitives import serialization
from psycopg import sql

from bench._common import handler_import_ms, percentile, write_result
from layers import build as layer_build
from shared.auth.keys import KeyRing, SigningKey, new_stored_key
from shared.auth.settings import AuthSettings
from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.identity import accounts
from shared.identity.passwords import default_hasher
from shared.settings import DatabaseSettings

LOGINS = 40
IMPORT_RUNS = 5
MODULES = {
    "authorizer_import_ms": "functions.identity.authorizer.handler",
    "login_import_ms": "functions.identity.login.handler",
}
PASSWORD = "correct horse 42 battery"


def _ring() -> KeyRing:
    stored = new_stored_key(2048)
    key = serialization.load_pem_private_key(stored.private_pem.encode(), password=None)
    return KeyRing((SigningKey(stored.kid, key),))  # type: ignore[arg-type]


def _login_ms(settings: DatabaseSettings) -> list[float]:
    ring = _ring()
    auth = AuthSettings()
    with psycopg.connect(conninfo_for(settings), autocommit=True) as conn:
        with conn.transaction():
            accounts.register(conn, "bench@example.com", PASSWORD, correlation_id="bench")
        timings = []
        for _ in range(LOGINS):
            started = time.perf_counter()
            with conn.transaction():
                pair = accounts.login(
                    conn,
                    "bench@example.com",
                    PASSWORD,
                    source="bench",
                    ring_source=lambda: ring,
                    settings=auth,
                    hasher=default_hasher(),
                )
            timings.append((time.perf_counter() - started) * 1000)
            if pair is None:
                raise SystemExit("login failed")
    return timings


def main() -> None:
    layer_build.build_deps_layer()
    layer_build.build_code_asset()
    name = f"bench_login_{uuid.uuid4().hex[:8]}"
    admin = DatabaseSettings(name="postgres", secret_arn=None)
    with psycopg.connect(conninfo_for(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        settings = DatabaseSettings(name=name, secret_arn=None)
        migrate(conninfo_for(settings))
        timings = _login_ms(settings)
    finally:
        with psycopg.connect(conninfo_for(admin), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    metrics = {"login_p50_ms": percentile(timings, 50), "login_p95_ms": percentile(timings, 95)}
    metrics.update({key: handler_import_ms(module, IMPORT_RUNS) for key, module in MODULES.items()})
    write_result("login", metrics)


if __name__ == "__main__":
    main()
