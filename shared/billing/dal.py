"""SQL of the billing schema: the only module of the context speaking SQL."""
# ruff: noqa: S608 - the column lists are constants; every value is a parameter

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from shared.billing.plans import METRICS, Metric, Plan, plan_of_row
from shared.dal.sql import Conn, fetch_all, fetch_one

_PLAN_COLUMNS = "id, name, rank, retention_days, " + ", ".join(METRICS)
_SUBSCRIPTION_COLUMNS = (
    "company_id, stripe_customer_id, stripe_subscription_id, plan_id, status,"
    " current_period_end, cancel_at_period_end, grace_until, downgraded_at, stripe_state_at,"
    " updated_at"
)


def plans(conn: Conn) -> list[Plan]:
    rows = fetch_all(conn, f"SELECT {_PLAN_COLUMNS} FROM billing.plans ORDER BY rank", ())
    return [plan_of_row(r) for r in rows]


def plan(conn: Conn, plan_id: str) -> Plan:
    row = fetch_one(conn, f"SELECT {_PLAN_COLUMNS} FROM billing.plans WHERE id = %s", (plan_id,))
    if row is None:
        raise LookupError(f"no plan {plan_id!r}")
    return plan_of_row(row)


def subscribed_plan(conn: Conn, company_id: uuid.UUID) -> Plan:
    """The plan the company's subscription row says (Free without one)."""
    row = fetch_one(
        conn,
        f"SELECT {_PLAN_COLUMNS} FROM billing.plans WHERE id = COALESCE("
        " (SELECT plan_id FROM billing.subscriptions WHERE company_id = %s), 'free')",
        (company_id,),
    )
    assert row is not None  # 'free' always exists (migration 0040)
    return plan_of_row(row)


def take(  # noqa: PLR0917
    conn: Conn, company_id: uuid.UUID, metric: Metric, period: str, amount: int, limit: int | None
) -> int | None:
    """Add ``amount`` to the counter if it stays within ``limit`` (None: no limit): the new
    value, or None when it would not fit. One conditional UPDATE: its row lock makes a parallel
    request wait and re-check the condition on the committed value, so the last unit is taken
    once."""
    conn.execute(
        "INSERT INTO billing.usage (company_id, metric, period) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (company_id, metric, period),
    )
    row = fetch_one(
        conn,
        "UPDATE billing.usage SET used = used + %(n)s, updated_at = now()"
        " WHERE company_id = %(c)s AND metric = %(m)s AND period = %(p)s"
        " AND (%(limit)s::bigint IS NULL OR used + %(n)s <= %(limit)s::bigint)"
        " RETURNING used",
        {"n": amount, "c": company_id, "m": metric, "p": period, "limit": limit},
    )
    return int(row["used"]) if row else None


def give_back(conn: Conn, company_id: uuid.UUID, metric: Metric, period: str, amount: int) -> None:
    conn.execute(
        "UPDATE billing.usage SET used = GREATEST(used - %s, 0), updated_at = now()"
        " WHERE company_id = %s AND metric = %s AND period = %s",
        (amount, company_id, metric, period),
    )


def hold_storage(
    conn: Conn, company_id: uuid.UUID, invitation_id: uuid.UUID, upload_id: uuid.UUID, amount: int
) -> None:
    conn.execute(
        "INSERT INTO billing.storage_holds (upload_id, company_id, invitation_id, bytes)"
        " VALUES (%s, %s, %s, %s)",
        (upload_id, company_id, invitation_id, amount),
    )


def drop_storage_holds(conn: Conn, company_id: uuid.UUID, invitation_id: uuid.UUID) -> int:
    """Delete the invitation's holds; the bytes they held (0 when there were none)."""
    row = fetch_one(
        conn,
        "WITH gone AS (DELETE FROM billing.storage_holds"
        " WHERE company_id = %s AND invitation_id = %s RETURNING bytes)"
        " SELECT COALESCE(sum(bytes), 0) AS bytes FROM gone",
        (company_id, invitation_id),
    )
    return int(row["bytes"]) if row else 0


def settle_hold(conn: Conn, upload_id: uuid.UUID, size: int) -> tuple[uuid.UUID, int] | None:
    """Set the upload's hold to ``size``: (its company, what changed), or None without a hold.
    The row lock orders a repeated settle after the first (the second changes nothing)."""
    row = fetch_one(
        conn,
        "SELECT company_id, bytes FROM billing.storage_holds WHERE upload_id = %s FOR UPDATE",
        (upload_id,),
    )
    if row is None:
        return None
    conn.execute(
        "UPDATE billing.storage_holds SET bytes = %s WHERE upload_id = %s", (size, upload_id)
    )
    return row["company_id"], size - int(row["bytes"])


def drop_hold(conn: Conn, upload_id: uuid.UUID) -> tuple[uuid.UUID, int] | None:
    row = fetch_one(
        conn,
        "DELETE FROM billing.storage_holds WHERE upload_id = %s RETURNING company_id, bytes",
        (upload_id,),
    )
    return (row["company_id"], int(row["bytes"])) if row else None


def used(conn: Conn, company_id: uuid.UUID, metric: Metric, period: str) -> int:
    row = fetch_one(
        conn,
        "SELECT used FROM billing.usage WHERE company_id = %s AND metric = %s AND period = %s",
        (company_id, metric, period),
    )
    return int(row["used"]) if row else 0


def subscription(conn: Conn, company_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
    return fetch_one(
        conn,
        f"SELECT {_SUBSCRIPTION_COLUMNS} FROM billing.subscriptions WHERE company_id = %s"
        + (" FOR UPDATE" if lock else ""),
        (company_id,),
    )


def locked_subscription(conn: Conn, company_id: uuid.UUID) -> dict[str, Any]:
    """The company's row, created if missing, locked until the transaction ends: webhooks of
    one company are applied one after the other."""
    conn.execute(
        "INSERT INTO billing.subscriptions (company_id) VALUES (%s) ON CONFLICT DO NOTHING",
        (company_id,),
    )
    row = subscription(conn, company_id, lock=True)
    assert row is not None
    return row


def company_of_customer(conn: Conn, customer_id: str) -> uuid.UUID | None:
    row = fetch_one(
        conn,
        "SELECT company_id FROM billing.subscriptions WHERE stripe_customer_id = %s",
        (customer_id,),
    )
    return row["company_id"] if row else None


def set_customer(conn: Conn, company_id: uuid.UUID, customer_id: str) -> None:
    conn.execute(
        "UPDATE billing.subscriptions SET stripe_customer_id = %s, updated_at = now()"
        " WHERE company_id = %s",
        (customer_id, company_id),
    )


def store_state(
    conn: Conn,
    company_id: uuid.UUID,
    *,
    customer_id: str | None,
    subscription_id: str | None,
    plan_id: str,
    status: str,
    current_period_end: datetime | None,
    cancel_at_period_end: bool,
    grace_until: datetime | None,
    downgraded_at: datetime | None,
    state_at: datetime,
) -> None:
    conn.execute(
        "UPDATE billing.subscriptions SET"
        " stripe_customer_id = COALESCE(%s, stripe_customer_id),"
        " stripe_subscription_id = COALESCE(%s, stripe_subscription_id),"
        " plan_id = %s, status = %s, current_period_end = %s, cancel_at_period_end = %s,"
        " grace_until = %s, downgraded_at = %s, stripe_state_at = %s, updated_at = now()"
        " WHERE company_id = %s",
        (
            customer_id,
            subscription_id,
            plan_id,
            status,
            current_period_end,
            cancel_at_period_end,
            grace_until,
            downgraded_at,
            state_at,
            company_id,
        ),
    )


def claim_event(
    conn: Conn, event_id: str, event_type: str, created: datetime, company_id: uuid.UUID | None
) -> bool:
    """Whether this Stripe event is new (False: already handled, a redelivery)."""
    row = fetch_one(
        conn,
        "INSERT INTO billing.stripe_events (event_id, event_type, company_id, created_at)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING event_id",
        (event_id, event_type, company_id, created),
    )
    return row is not None


def grace_ended(conn: Conn, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Companies whose grace period is over, locked (safe for concurrent sweeps)."""
    return fetch_all(
        conn,
        f"SELECT {_SUBSCRIPTION_COLUMNS} FROM billing.subscriptions"
        " WHERE grace_until IS NOT NULL AND grace_until <= %s"
        " ORDER BY grace_until LIMIT %s FOR UPDATE SKIP LOCKED",
        (now, limit),
    )


def downgrade(conn: Conn, company_id: uuid.UUID, now: datetime) -> None:
    conn.execute(
        "UPDATE billing.subscriptions SET plan_id = 'free', grace_until = NULL,"
        " downgraded_at = %s, updated_at = now() WHERE company_id = %s",
        (now, company_id),
    )
