"""SQL of the webhook tables."""
# ruff: noqa: S608 - the column lists are constants; every value is a parameter

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from shared.dal.sql import Conn, fetch_all, fetch_one
from shared.errors import NotFoundError
from shared.notifications.webhook_rows import AttemptRow, DeliveryRow, EndpointRow

_ENDPOINT = (
    "id, company_id, created_by, url, event_types, secret_sealed, previous_sealed,"
    " previous_until, status, disabled_reason, failing_since, created_at, updated_at"
)
_DELIVERY = (
    "id, endpoint_id, company_id, event_id, event_type, body, status, attempts,"
    " next_attempt_at, created_at, updated_at"
)


def insert_endpoint(
    conn: Conn,
    *,
    endpoint_id: uuid.UUID,
    company_id: uuid.UUID,
    created_by: uuid.UUID,
    url: str,
    event_types: list[str],
    secret_sealed: bytes,
) -> EndpointRow:
    row = fetch_one(
        conn,
        "INSERT INTO notifications.webhook_endpoints (id, company_id, created_by, url,"
        f" event_types, secret_sealed) VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_ENDPOINT}",
        (endpoint_id, company_id, created_by, url, event_types, secret_sealed),
    )
    assert row is not None
    return EndpointRow.model_validate(row)


def endpoint(
    conn: Conn, endpoint_id: uuid.UUID, company_id: uuid.UUID | None, *, lock: bool = False
) -> EndpointRow:
    row = fetch_one(
        conn,
        f"SELECT {_ENDPOINT} FROM notifications.webhook_endpoints WHERE id = %s"
        " AND (%s::uuid IS NULL OR company_id = %s)" + (" FOR UPDATE" if lock else ""),
        (endpoint_id, company_id, company_id),
    )
    if row is None:
        raise NotFoundError("No such webhook endpoint.")
    return EndpointRow.model_validate(row)


def endpoints_of(conn: Conn, company_id: uuid.UUID) -> list[EndpointRow]:
    rows = fetch_all(
        conn,
        f"SELECT {_ENDPOINT} FROM notifications.webhook_endpoints WHERE company_id = %s"
        " ORDER BY created_at, id",
        (company_id,),
    )
    return [EndpointRow.model_validate(r) for r in rows]


def subscribed(conn: Conn, company_id: uuid.UUID, event_type: str) -> list[EndpointRow]:
    rows = fetch_all(
        conn,
        f"SELECT {_ENDPOINT} FROM notifications.webhook_endpoints WHERE company_id = %s"
        " AND status = 'active' AND %s = ANY(event_types)",
        (company_id, event_type),
    )
    return [EndpointRow.model_validate(r) for r in rows]


def count_endpoints(conn: Conn, company_id: uuid.UUID) -> int:
    row = fetch_one(
        conn,
        "SELECT count(*) AS n FROM notifications.webhook_endpoints WHERE company_id = %s",
        (company_id,),
    )
    return int(row["n"]) if row else 0


def delete_endpoint(conn: Conn, endpoint_id: uuid.UUID) -> None:
    conn.execute("DELETE FROM notifications.webhook_endpoints WHERE id = %s", (endpoint_id,))


def rotate_secret(
    conn: Conn, endpoint_id: uuid.UUID, sealed: bytes, previous: bytes, until: datetime
) -> None:
    conn.execute(
        "UPDATE notifications.webhook_endpoints SET secret_sealed = %s, previous_sealed = %s,"
        " previous_until = %s, updated_at = now() WHERE id = %s",
        (sealed, previous, until, endpoint_id),
    )


def set_status(conn: Conn, endpoint_id: uuid.UUID, status: str, reason: str | None) -> None:
    conn.execute(
        "UPDATE notifications.webhook_endpoints SET status = %s, disabled_reason = %s,"
        " failing_since = CASE WHEN %s = 'active' THEN NULL ELSE failing_since END,"
        " updated_at = now() WHERE id = %s",
        (status, reason, status, endpoint_id),
    )
    if status == "disabled":
        conn.execute(
            "UPDATE notifications.webhook_deliveries SET status = 'cancelled', updated_at = now()"
            " WHERE endpoint_id = %s AND status = 'pending'",
            (endpoint_id,),
        )


def record_outcome(conn: Conn, endpoint_id: uuid.UUID, succeeded: bool) -> datetime | None:
    """The start of the endpoint's current run of failures (None after a success)."""
    row = fetch_one(
        conn,
        "UPDATE notifications.webhook_endpoints SET failing_since = CASE WHEN %s THEN NULL"
        " ELSE COALESCE(failing_since, now()) END WHERE id = %s RETURNING failing_since",
        (succeeded, endpoint_id),
    )
    return row["failing_since"] if row else None


def queue_delivery(
    conn: Conn,
    *,
    endpoint_id: uuid.UUID,
    company_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    body: dict[str, Any],
) -> uuid.UUID | None:
    row = fetch_one(
        conn,
        "INSERT INTO notifications.webhook_deliveries (endpoint_id, company_id, event_id,"
        " event_type, body) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id",
        (endpoint_id, company_id, event_id, event_type, Jsonb(body)),
    )
    return row["id"] if row else None


def claim(
    conn: Conn, ids: Sequence[uuid.UUID] | None, lease_s: int, limit: int
) -> list[DeliveryRow]:
    rows = fetch_all(
        conn,
        "UPDATE notifications.webhook_deliveries d SET attempts = d.attempts + 1,"
        " next_attempt_at = now() + make_interval(secs => %(lease)s), updated_at = now()"
        " WHERE d.id IN (SELECT id FROM notifications.webhook_deliveries"
        "   WHERE status = 'pending' AND next_attempt_at <= now()"
        "   AND (%(any)s OR id = ANY(%(ids)s))"
        "   ORDER BY next_attempt_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_DELIVERY.replace('id,', 'd.id,', 1)}",
        {"lease": lease_s, "any": ids is None, "ids": list(ids or []), "limit": limit},
    )
    return [DeliveryRow.model_validate(r) for r in rows]


def record_attempt(
    conn: Conn,
    delivery_id: uuid.UUID,
    *,
    status_code: int | None,
    latency_ms: int,
    excerpt: str | None,
    error: str | None,
) -> None:
    conn.execute(
        "INSERT INTO notifications.webhook_attempts (delivery_id, status_code, latency_ms,"
        " response_excerpt, error) VALUES (%s, %s, %s, %s, %s)",
        (delivery_id, status_code, latency_ms, excerpt, error),
    )


def finish_delivery(
    conn: Conn, delivery_id: uuid.UUID, status: str, retry_at: datetime | None = None
) -> None:
    conn.execute(
        "UPDATE notifications.webhook_deliveries SET status = %s,"
        " next_attempt_at = COALESCE(%s, next_attempt_at), updated_at = now() WHERE id = %s",
        (status, retry_at, delivery_id),
    )


def redeliver(conn: Conn, delivery_id: uuid.UUID, endpoint_id: uuid.UUID) -> DeliveryRow:
    row = fetch_one(
        conn,
        "UPDATE notifications.webhook_deliveries SET status = 'pending', attempts = 0,"
        " next_attempt_at = now(),"
        f" updated_at = now() WHERE id = %s AND endpoint_id = %s RETURNING {_DELIVERY}",
        (delivery_id, endpoint_id),
    )
    if row is None:
        raise NotFoundError("No such delivery.")
    return DeliveryRow.model_validate(row)


def delivery(conn: Conn, delivery_id: uuid.UUID) -> DeliveryRow:
    row = fetch_one(
        conn,
        f"SELECT {_DELIVERY} FROM notifications.webhook_deliveries WHERE id = %s",
        (delivery_id,),
    )
    if row is None:
        raise NotFoundError("No such delivery.")
    return DeliveryRow.model_validate(row)


def deliveries_of(conn: Conn, endpoint_id: uuid.UUID, limit: int) -> list[DeliveryRow]:
    rows = fetch_all(
        conn,
        f"SELECT {_DELIVERY} FROM notifications.webhook_deliveries WHERE endpoint_id = %s"
        " ORDER BY created_at DESC, id DESC LIMIT %s",
        (endpoint_id, limit),
    )
    return [DeliveryRow.model_validate(r) for r in rows]


def attempts_of(conn: Conn, delivery_ids: Sequence[uuid.UUID]) -> list[AttemptRow]:
    rows = fetch_all(
        conn,
        "SELECT id, delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error"
        " FROM notifications.webhook_attempts WHERE delivery_id = ANY(%s) ORDER BY id",
        (list(delivery_ids),),
    )
    return [AttemptRow.model_validate(r) for r in rows]
