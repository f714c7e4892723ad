"""The idempotent creating POST as a handler writes it: one call instead of a repeated block."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.dal.idempotency import idempotent
from shared.dal.sql import Conn


def idempotent_response(
    conn: Conn,
    scope: str,
    key: str | None,
    *,
    body: BaseModel,
    status_code: int,
    run: Callable[[], BaseModel],
) -> JSONResponse:
    """Run ``run`` once per (scope, Idempotency-Key) and answer what it (or the first run)
    answered, with the first run's status."""
    replay = idempotent(conn, scope, key, body=body, status_code=status_code, run=run)
    return JSONResponse(replay.body, status_code=replay.status_code)
