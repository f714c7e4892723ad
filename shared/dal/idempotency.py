"""Idempotent creating requests: a request runs once per (scope, Idempotency-Key).

The keys live in ``identity.idempotency_keys`` (the table predates the kernel; every context's
creating POST uses it through this module).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import BaseModel

from shared.dal.sql import Conn, fetch_one
from shared.errors import ConflictError


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_hash: bytes
    status_code: int
    body: Any


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: Any


def request_hash(body: BaseModel) -> bytes:
    return hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    ).digest()


def lock_idempotency_key(conn: Conn, scope: str, key: str) -> StoredResponse | None:
    """Serialise requests with one key (a transaction-level lock), then read what is stored."""
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 3))", (f"identity|{scope}|{key}",)
    )
    row = fetch_one(
        conn,
        "SELECT request_hash, status_code, response FROM identity.idempotency_keys"
        " WHERE scope = %s AND key = %s",
        (scope, key),
    )
    if row is None:
        return None
    return StoredResponse(bytes(row["request_hash"]), int(row["status_code"]), row["response"])


def store_idempotent_response(
    conn: Conn, scope: str, key: str, *, request_hash: bytes, status_code: int, body: Any
) -> None:
    conn.execute(
        "INSERT INTO identity.idempotency_keys (scope, key, request_hash, status_code, response)"
        " VALUES (%s, %s, %s, %s, %s)",
        (scope, key, request_hash, status_code, Jsonb(body)),
    )


def idempotent(
    conn: Conn,
    scope: str,
    key: str | None,
    *,
    body: BaseModel,
    status_code: int,
    run: Callable[[], BaseModel],
) -> Replay:
    """Run a creating request once per (caller, Idempotency-Key): a replay with the same body
    gets the stored response; a different body with the same key is a conflict."""
    if key is None:
        return Replay(status_code, run().model_dump(mode="json"))
    digest = request_hash(body)
    stored = lock_idempotency_key(conn, scope, key)
    if stored is not None:
        if stored.request_hash != digest:
            raise ConflictError("This Idempotency-Key was used with a different request.")
        return Replay(stored.status_code, stored.body)
    result = run().model_dump(mode="json")
    store_idempotent_response(
        conn, scope, key, request_hash=digest, status_code=status_code, body=result
    )
    return Replay(status_code, result)
